import Foundation
import Switchyard
import SwitchyardTestSupport
import Synchronization
import Testing

/// An inline child document for `<invoke><content>`.
func childDocument(_ body: String, initial: String, data: String = "") -> String {
    """
    <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="\(initial)">
      <datamodel>\(data)</datamodel>
      \(body)
    </scxml>
    """
}

/// Collects dropped dead letters and finished instances.
final class LifecycleListener: EngineListener {
    let dropped = Mutex<[UInt64]>([])
    let finished = Mutex<[String]>([])
    func deadLetterDropped(_ letter: DeadLetter) { dropped.withLock { $0.append(letter.id) } }
    func instanceFinished(instanceID: String, status: InstanceStatus) {
        finished.withLock { $0.append("\(instanceID):\(status)") }
    }
}

@Suite struct InvokeTests {
    /// W3C 6.4 (tests 215, 226, 229 ideas): params become the child's data (undeclared ones are
    /// ignored), the child's donedata comes back as `done.invoke.<id>` with invokeid and origin.
    @Test func doneInvokeCarriesDonedataInvokeIDAndOrigin() async throws {
        let (engine, _) = manualEngine(shards: 4)
        let child = childDocument(
            """
            <state id="work"><transition event="go" target="done"/></state>
            <final id="done"><donedata><param name="answer" expr="x * 2"/><param name="hasY" expr="typeof y !== 'undefined'"/></donedata></final>
            """, initial: "work", data: #"<data id="x" expr="0"/>"#)
        let parent = try machine(
            """
            <state id="waiting">
              <invoke id="worker" type="http://www.w3.org/TR/scxml/">
                <param name="x" expr="21"/><param name="y" expr="1"/>
                <content>\(child)</content>
              </invoke>
              <transition event="done.invoke.worker" target="finished">
                <assign location="answer" expr="_event.data.answer"/>
                <assign location="hasY" expr="_event.data.hasY"/>
                <assign location="invokeid" expr="_event.invokeid"/>
                <assign location="origin" expr="_event.origin"/>
              </transition>
            </state>
            <final id="finished"/>
            """, initial: "waiting",
            data: #"<data id="answer"/><data id="hasY"/><data id="invokeid"/><data id="origin"/>"#)
        try engine.register(parent, as: "parent")
        try await engine.start("parent", id: "p1")
        await engine.quiesce()

        let p = try #require(await engine.snapshot("p1"))
        #expect(p.children == ["worker": "p1.worker"])
        let c = try #require(await engine.snapshot("p1.worker"))
        #expect(c.parent == "p1")
        #expect(c.definition == "parent#invoke:waiting")
        #expect(c.value(of: "x") == .number(21))
        #expect(c.value(of: "y") == nil)
        #expect(c.configuration == ["work"])

        await engine.enqueue(Event("go"), to: "p1.worker")
        await engine.quiesce()
        let done = try #require(await engine.snapshot("p1"))
        #expect(done.status == .finished(finalState: "finished"))
        #expect(done.value(of: "answer") == .number(42))
        #expect(done.value(of: "hasY") == .bool(false))
        #expect(done.value(of: "invokeid") == .string("worker"))
        #expect(done.value(of: "origin") == .string("#_scxml_p1.worker"))
        #expect(done.children == [:])
        #expect(await engine.snapshot("p1.worker")?.status == .finished(finalState: "done"))
        #expect(engine.deadLetters.isEmpty)
    }

    /// W3C tests 207/233/234 ideas: `#_parent` and `#_<invokeid>` in both directions; the child
    /// also answers `_event.origin`; events from the child carry invokeid and origin.
    @Test func parentChildRoundTrip() async throws {
        let (engine, _) = manualEngine(shards: 4)
        let child = childDocument(
            """
            <state id="asking">
              <onentry><send event="ping" target="#_parent"><param name="n" expr="1"/></send></onentry>
              <transition event="pong" target="answering"><assign location="got" expr="_event.data.n"/></transition>
            </state>
            <state id="answering">
              <transition event="ask" target="end">
                <send event="reply" targetexpr="_event.origin"><param name="got" expr="got"/></send>
              </transition>
            </state>
            <final id="end"/>
            """, initial: "asking", data: #"<data id="got" expr="0"/>"#)
        let parent = try machine(
            """
            <state id="talking">
              <invoke id="c" type="scxml"><content>\(child)</content></invoke>
              <transition event="ping">
                <assign location="log" expr="log.concat(['ping ' + _event.data.n + ' ' + _event.invokeid + ' ' + _event.origin + ' ' + _event.origintype])"/>
                <send event="pong" target="#_c"><param name="n" expr="_event.data.n + 1"/></send>
                <send event="ask" target="#_c"/>
              </transition>
              <transition event="reply">
                <assign location="log" expr="log.concat(['reply ' + _event.data.got + ' ' + _event.invokeid])"/>
              </transition>
              <transition event="done.invoke.c" target="over">
                <assign location="log" expr="log.concat(['done'])"/>
              </transition>
            </state>
            <final id="over"/>
            """, initial: "talking", data: #"<data id="log" expr="[]"/>"#)
        try engine.register(parent, as: "parent")
        try await engine.start("parent", id: "p")
        await engine.quiesce()
        let s = try #require(await engine.snapshot("p"))
        #expect(s.status == .finished(finalState: "over"))
        #expect(
            s.value(of: "log")
                == .array([
                    .string("ping 1 c #_scxml_p.c http://www.w3.org/TR/scxml/#SCXMLEventProcessor"),
                    .string("reply 2 c"), .string("done"),
                ]))
        #expect(await engine.snapshot("p.c")?.value(of: "got") == .number(2))
    }

    /// W3C test 252/232 ideas: exiting the invoking state stops the child (its timers too), and
    /// events the cancelled child sent afterwards are ignored by the parent.
    @Test func exitingTheInvokingStateCancelsTheChild() async throws {
        let (engine, _) = manualEngine(shards: 4)
        let child = childDocument(
            """
            <state id="ticking">
              <onentry><send event="tick" target="#_parent" delay="1s"/><send event="again" delay="1s"/></onentry>
              <transition event="again" target="ticking"/>
            </state>
            """, initial: "ticking")
        let parent = try machine(
            """
            <state id="running">
              <invoke id="ticker" type="scxml"><content>\(child)</content></invoke>
              <transition event="tick"><assign location="ticks" expr="ticks + 1"/></transition>
              <transition event="leave" target="elsewhere"/>
            </state>
            <state id="elsewhere">
              <transition event="tick" target="wrong"/>
            </state>
            <state id="wrong"/>
            """, initial: "running", data: #"<data id="ticks" expr="0"/>"#)
        try engine.register(parent, as: "parent")
        try await engine.start("parent", id: "p")
        try await engine.advance(by: .milliseconds(3500))
        #expect(await engine.snapshot("p")?.value(of: "ticks") == .number(3))
        #expect(engine.pendingTimerCount == 2)

        await engine.enqueue(Event("leave"), to: "p")
        await engine.quiesce()
        #expect(await engine.snapshot("p.ticker")?.status == .stopped)
        #expect(await engine.snapshot("p")?.children == [:])
        #expect(engine.pendingTimerCount == 0)
        // A tick the child sent before it was stopped, arriving late.
        await engine.enqueue(
            Event(
                "tick", origin: "#_scxml_p.ticker", originType: Event.scxmlProcessorType, invokeID: "ticker"),
            to: "p")
        try await engine.advance(by: .seconds(5))
        let s = try #require(await engine.snapshot("p"))
        #expect(s.configuration == ["elsewhere"])
        #expect(s.value(of: "ticks") == .number(3))
        #expect(s.recentEvents.last == "leave")
        // An event with an invoke id that did not come from a child of ours is processed.
        await engine.enqueue(Event("tick", invokeID: "ticker"), to: "p")
        await engine.quiesce()
        #expect(await engine.snapshot("p")?.configuration == ["wrong"])
    }

    /// W3C test 236 idea: events a child sent before the parent cancelled it were on their way
    /// and are delivered — here the child's done.invoke, sent before the event that makes the
    /// parent leave the invoking state is processed.
    @Test func eventsSentBeforeTheCancellationAreDelivered() async throws {
        let (engine, _) = manualEngine(shards: 4)
        let child = childDocument(
            ##"<final id="f"><onexit><send target="#_parent" event="bye"/></onexit></final>"##, initial: "f")
        let parent = try machine(
            """
            <state id="s0">
              <invoke id="c"><content>\(child)</content></invoke>
              <transition event="bye" target="s1"/>
              <transition event="done.invoke" target="early"/>
            </state>
            <state id="s1"><transition event="done.invoke.c" target="s2"/></state>
            <state id="s2"/>
            <state id="early"/>
            """, initial: "s0")
        try engine.register(parent, as: "parent")
        try await engine.start("parent", id: "p")
        await engine.quiesce()
        let s = try #require(await engine.snapshot("p"))
        #expect(s.configuration == ["s2"])
        #expect(s.recentEvents == ["bye", "done.invoke.c"])
    }

    /// Stopping the parent stops its children.
    @Test func stoppingTheParentStopsItsChildren() async throws {
        let (engine, _) = manualEngine(shards: 4)
        let child = childDocument(#"<state id="idle"/>"#, initial: "idle")
        let parent = try machine(
            #"<state id="s"><invoke id="a"><content>\#(child)</content></invoke><invoke id="b"><content>\#(child)</content></invoke></state>"#,
            initial: "s")
        try engine.register(parent, as: "parent")
        try await engine.start("parent", id: "p")
        await engine.quiesce()
        #expect(await engine.snapshot("p")?.children == ["a": "p.a", "b": "p.b"])
        #expect(await engine.stop("p"))
        await engine.quiesce()
        #expect(await engine.snapshot("p.a")?.status == .stopped)
        #expect(await engine.snapshot("p.b")?.status == .stopped)
    }

    /// W3C test 228/229 ideas: autoforward sends the parent's external events to the child;
    /// `<finalize>` runs on events from the child before the parent's transitions see them.
    @Test func autoforwardAndFinalize() async throws {
        let (engine, _) = manualEngine(shards: 4)
        let child = childDocument(
            """
            <state id="echoing">
              <transition event="hello">
                <send event="echo" target="#_parent"><param name="v" expr="_event.data.v * 10"/></send>
              </transition>
              <transition event="bye" target="end"/>
            </state>
            <final id="end"/>
            """, initial: "echoing")
        let parent = try machine(
            """
            <state id="s">
              <invoke id="e" type="scxml" autoforward="true">
                <content>\(child)</content>
                <finalize><assign location="finalized" expr="finalized.concat([_event.name + ':' + _event.data.v])"/></finalize>
              </invoke>
              <transition event="echo" cond="finalized.length > 0">
                <assign location="seen" expr="seen.concat([_event.data.v])"/>
              </transition>
              <transition event="done.invoke.e" target="end"/>
            </state>
            <final id="end"/>
            """, initial: "s", data: #"<data id="finalized" expr="[]"/><data id="seen" expr="[]"/>"#)
        try engine.register(parent, as: "parent")
        try await engine.start("parent", id: "p")
        await engine.quiesce()
        await engine.enqueue(Event("hello", data: object([("v", .number(1))])), to: "p")
        await engine.quiesce()
        await engine.enqueue(Event("hello", data: object([("v", .number(2))])), to: "p")
        await engine.quiesce()
        let s = try #require(await engine.snapshot("p"))
        #expect(s.value(of: "seen") == .array([.number(10), .number(20)]))
        #expect(s.value(of: "finalized") == .array([.string("echo:10"), .string("echo:20")]))
        await engine.enqueue(Event("bye"), to: "p")
        await engine.quiesce()
        #expect(await engine.snapshot("p")?.status == .finished(finalState: "end"))
        #expect(await engine.snapshot("p.e")?.status == .finished(finalState: "end"))
        #expect(engine.deadLetters.isEmpty)
    }

    /// `src` loads relative to the invoking document's directory with the engine's document
    /// loader; without one the parent gets `error.execution`.
    @Test func srcIsLoadedRelativeToTheParentDocument() async throws {
        let dir =
            FileManager.default.temporaryDirectory.path + "/switchyard-invoke-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try childDocument(
            #"<final id="f"><donedata><param name="v" expr="v + 1"/></donedata></final>"#, initial: "f",
            data: #"<data id="v" expr="0"/>"#
        ).write(toFile: dir + "/child.scxml", atomically: true, encoding: .utf8)
        try """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" initial="s">
          <datamodel><data id="out"/></datamodel>
          <state id="s">
            <invoke id="k" src="child.scxml"><param name="v" expr="41"/></invoke>
            <transition event="done.invoke.k" target="ok"><assign location="out" expr="_event.data.v"/></transition>
            <transition event="error.execution" target="failed"><assign location="out" expr="_event.data.message"/></transition>
          </state>
          <final id="ok"/><final id="failed"/>
        </scxml>
        """.write(toFile: dir + "/parent.scxml", atomically: true, encoding: .utf8)
        let parent = try MachineDefinition.load(path: dir + "/parent.scxml")

        let withLoader = Engine(
            clock: ManualClock(),
            options: EngineOptions(shards: 2, documentLoader: SCXMLLoader().documentLoader))
        try withLoader.register(parent, as: "parent")
        try await withLoader.start("parent", id: "p")
        await withLoader.quiesce()
        let s = try #require(await withLoader.snapshot("p"))
        #expect(s.status == .finished(finalState: "ok"))
        #expect(s.value(of: "out") == .number(42))

        let (without, _) = manualEngine()
        try without.register(parent, as: "parent")
        try await without.start("parent", id: "p")
        await without.quiesce()
        let f = try #require(await without.snapshot("p"))
        #expect(f.status == .finished(finalState: "failed"))
        #expect(f.value(of: "out") == .string("cannot load 'child.scxml': the engine has no documentLoader"))
        #expect(await without.snapshot("p.k") == nil)
    }

    /// A child that cannot be started because its id belongs to another running instance.
    @Test func childIDTakenByAnotherInstance() async throws {
        let (engine, _) = manualEngine(shards: 4)
        try engine.register(counterMachine(), as: "counter")
        try await engine.start("counter", id: "p.k")
        let child = childDocument(#"<state id="idle"/>"#, initial: "idle")
        let parent = try machine(
            """
            <state id="s">
              <invoke id="k"><content>\(child)</content></invoke>
              <transition event="error.execution" target="failed"><assign location="why" expr="_event.data.message"/></transition>
              <transition event="go" target="s2"/>
            </state>
            <state id="s2"/>
            <final id="failed"/>
            """, initial: "s", data: #"<data id="why"/>"#)
        try engine.register(parent, as: "parent")
        try await engine.start("parent", id: "p")
        await engine.quiesce()
        let s = try #require(await engine.snapshot("p"))
        #expect(s.status == .finished(finalState: "failed"))
        #expect(
            s.value(of: "why")
                == .string("cannot invoke 'k': an instance with id 'p.k' is running and is not its child"))
        #expect(await engine.snapshot("p.k")?.definition == "counter")
        #expect(await engine.snapshot("p.k")?.status == .running)
    }

    /// Sending to an invoke id that names no child is `error.communication` (and a dead letter).
    @Test func sendingToAnUnknownInvokeID() async throws {
        let (engine, _) = manualEngine()
        let m = try machine(
            """
            <state id="s">
              <onentry><send event="x" target="#_nobody"/></onentry>
              <transition event="error.communication" target="e"/>
            </state>
            <final id="e"/>
            """, initial: "s")
        try engine.register(m, as: "m")
        try await engine.start("m", id: "m1")
        await engine.quiesce()
        #expect(await engine.snapshot("m1")?.status == .finished(finalState: "e"))
        #expect(engine.deadLetters.map(\.reason) == [.unsupportedTarget("#_nobody")])
    }
}

@Suite struct TriggerDeliveryTests {
    func orderMachine() throws -> MachineDefinition {
        try machine(
            """
            <state id="idle">
              <transition event="order.created" target="created"><assign location="amount" expr="_event.data.amount"/></transition>
            </state>
            <state id="created"/>
            """, initial: "idle", data: #"<data id="amount" expr="0"/>"#)
    }

    @Test func triggerDeliversTheTriggeringEventWhenAsked() async throws {
        let (engine, _) = manualEngine()
        try engine.register(orderMachine(), as: "order")
        try engine.trigger(
            "order.created", start: "order", instanceID: "'o-' + _event.data.id", deliver: true)
        let event = Event("order.created", data: object([("id", .number(1)), ("amount", .number(5))]))
        let outcome = await engine.publish(event)
        #expect(outcome.startedInstances == ["o-1"])
        await engine.quiesce()
        let s = try #require(await engine.snapshot("o-1"))
        #expect(s.configuration == ["created"])
        #expect(s.recentEvents == ["order.created"])
        #expect(s.value(of: "amount") == .number(5))
        // Kept by useExisting: the trigger does not deliver it again.
        await engine.publish(
            Event("order.created", data: object([("id", .number(1)), ("amount", .number(9))])))
        await engine.quiesce()
        #expect(await engine.snapshot("o-1")?.recentEvents == ["order.created"])
        #expect(engine.statistics.eventsProcessed == 1)
    }

    @Test func triggerOnlyStartsByDefault() async throws {
        let (engine, _) = manualEngine()
        try engine.register(orderMachine(), as: "order")
        try engine.trigger("order.created", start: "order", instanceID: "'o-' + _event.data.id")
        await engine.publish(
            Event("order.created", data: object([("id", .number(2)), ("amount", .number(5))])))
        await engine.quiesce()
        let s = try #require(await engine.snapshot("o-2"))
        #expect(s.configuration == ["idle"])
        #expect(s.recentEvents == [])
        // The event's data still initialises the data model.
        #expect(s.value(of: "amount") == .number(5))
    }

    @Test func triggerEventForAnInstanceThatFinishedAtOnceIsDeadLettered() async throws {
        let (engine, _) = manualEngine()
        try engine.register(machine(#"<final id="f"/>"#, initial: "f"), as: "instant")
        try engine.trigger("go", start: "instant", instanceID: "'i-' + _event.data.id", deliver: true)
        await engine.publish(Event("go", data: object([("id", .number(1))])))
        await engine.quiesce()
        #expect(await engine.snapshot("i-1")?.status == .finished(finalState: "f"))
        #expect(engine.deadLetters.map(\.reason) == [.instanceFinished("i-1")])
        #expect(engine.deadLetters.map(\.event.name) == ["go"])
    }

    @Test func choosingTriggerDelivers() async throws {
        let (engine, _) = manualEngine()
        try engine.register(orderMachine(), as: "order")
        try engine.trigger("order.*", instanceID: "'c-' + _event.data.id", deliver: true) { _ in
            .start(definition: "order")
        }
        await engine.publish(
            Event("order.created", data: object([("id", .number(3)), ("amount", .number(1))])))
        await engine.quiesce()
        #expect(await engine.snapshot("c-3")?.configuration == ["created"])
    }
}

@Suite struct BoundedMemoryTests {
    @Test func deadLetterListDropsTheOldestAndReportsIt() async throws {
        let clock = ManualClock()
        let engine = Engine(clock: clock, options: EngineOptions(shards: 1, deadLetterCapacity: 3))
        let listener = LifecycleListener()
        engine.addListener(listener)
        for i in 1...5 { await engine.enqueue(Event("e\(i)"), to: "nobody") }
        await engine.quiesce()
        #expect(engine.deadLetters.map(\.event.name) == ["e3", "e4", "e5"])
        #expect(engine.deadLetters.map(\.id) == [3, 4, 5])
        #expect(engine.statistics.deadLetters == 5)
        #expect(engine.statistics.deadLettersDropped == 2)
        #expect(listener.dropped.withLock { $0 } == [1, 2])
        // Replaying takes them out; the list keeps working after a take.
        #expect(await engine.replayDeadLetters { $0.event.name == "e4" } == 1)
        await engine.quiesce()
        #expect(engine.deadLetters.map(\.event.name) == ["e3", "e5", "e4"])
        await engine.enqueue(Event("e6"), to: "nobody")
        await engine.quiesce()
        #expect(engine.deadLetters.map(\.event.name) == ["e5", "e4", "e6"])
        #expect(engine.statistics.deadLettersDropped == 3)
        #expect(listener.dropped.withLock { $0 } == [1, 2, 3])
    }

    @Test func zeroCapacityKeepsNoneButReportsAll() async throws {
        let engine = Engine(clock: ManualClock(), options: EngineOptions(shards: 1, deadLetterCapacity: 0))
        let listener = LifecycleListener()
        engine.addListener(listener)
        await engine.enqueue(Event("a"), to: "nobody")
        await engine.quiesce()
        #expect(engine.deadLetters.isEmpty)
        #expect(engine.statistics.deadLetters == 1)
        #expect(engine.statistics.deadLettersDropped == 1)
        #expect(listener.dropped.withLock { $0 } == [1])
    }

    @Test func defaultCapacity() {
        #expect(EngineOptions().deadLetterCapacity == 10_000)
        #expect(EngineOptions().finishedRetention == nil)
    }

    @Test func finishedRecordsArePrunedAfterTheRetention() async throws {
        let clock = ManualClock()
        let engine = Engine(
            clock: clock, options: EngineOptions(shards: 1, finishedRetention: .seconds(60)))
        try engine.register(counterMachine(), as: "counter")
        try await engine.start("counter", id: "a")
        try await engine.start("counter", id: "b")
        try await engine.start("counter", id: "running")
        await engine.enqueue(Event("finish"), to: "a")
        await engine.quiesce()
        try await engine.advance(by: .seconds(30))
        await engine.enqueue(Event("finish"), to: "b")
        await engine.quiesce()
        try await engine.advance(by: .seconds(40))
        // Nothing is pruned until the shard processes a message.
        #expect(engine.statistics.finishedPruned == 0)
        await engine.enqueue(Event("tick"), to: "running")
        await engine.quiesce()
        #expect(engine.statistics.finishedPruned == 1)
        #expect(await engine.snapshot("a") == nil)
        #expect(await engine.snapshot("b")?.status == .finished(finalState: "done"))
        #expect(await engine.snapshot("running")?.value(of: "n") == .number(1))
        // A restarted id is not pruned by its earlier run's entry.
        try await engine.start("counter", id: "b")
        try await engine.advance(by: .seconds(60))
        await engine.enqueue(Event("tick"), to: "running")
        await engine.quiesce()
        #expect(await engine.snapshot("b")?.status == .running)
        #expect(engine.statistics.finishedPruned == 1)
        // Events to a pruned id are dead-lettered like those to an unknown one.
        await engine.enqueue(Event("tick"), to: "a")
        await engine.quiesce()
        #expect(engine.deadLetters.map(\.reason) == [.noSuchInstance("a")])
    }
}
