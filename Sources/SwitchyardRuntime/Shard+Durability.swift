import Foundation
import Logging
import SwitchyardCore
import SwitchyardExpressions

/// The durable side of a shard: journal records, group-committed batches, snapshots, recovery
/// by replay, and migration between definition versions.
///
/// **Why replay is exact.** The interpreter is deterministic and reads no clock; the shard
/// feeds it the same inputs in the same order with the same "now" (each record's time), so
/// every macrostep, timer due time, activity attempt number and outgoing event id comes out
/// the same. Effects that reached the outside world before the crash are not repeated:
/// outgoing events carry the stable id `<sender>#<record>.<n>`, and a receiver drops an id it
/// has journaled already; activities keep their idempotency key; logs are not re-emitted.
extension Shard {
    // MARK: Journal

    /// Appends the record for the input just applied.
    func journal(_ slot: InstanceSlot, _ input: InstanceInput, eventID: String?, eventName: String?) {
        let executor = slot.executor
        // A finished instance has exited every state; its record names the final state reached.
        var configuration = executor.interpreter.configurationIDs.joined(separator: " ")
        if configuration.isEmpty, let final = executor.interpreter.finalStateID { configuration = final }
        batchJournal.append(
            JournalRecord(
                instanceID: executor.id, seq: executor.seq, kind: input.kind, eventID: eventID,
                event: eventName,
                time: now,
                payload: JournalCodec.encode(input), configuration: configuration))
        slot.sinceSnapshot += 1
        if slot.sinceSnapshot >= core.options.snapshotEvery { snapshotDue.insert(executor.id) }
    }

    /// Runs `ok` once the batch is durable (or now, without a store); `failed` instead when the
    /// commit fails.
    func reply(_ ok: @escaping () -> Void, or failed: @escaping (EngineError) -> Void) {
        if durable && !replaying {
            afterCommit.append((ok, failed))
        } else {
            ok()
        }
    }

    /// Commits the batch's journal records, rows and snapshots in one store transaction, then
    /// lets the batch's replies, events and task starts out.
    func commitBatch() async {
        guard let store else { return }
        var batch = StoreBatch()
        swap(&batch.journal, &batchJournal)
        swap(&batch.outbox, &batchOutbox)
        swap(&batch.delivered, &batchDelivered)
        // Dead letters parked anywhere in the engine ride along with this commit.
        (batch.deadLetters, batch.removedDeadLetters) = core.drainLetterWrites()
        var hashes: [String] = []
        for def in pendingDefinitions where !hashes.contains(def.hash) {
            hashes.append(def.hash)
            batch.definitions.append(core.storedDefinition(def))
        }
        pendingDefinitions.removeAll()
        for id in dirtyRows.union(snapshotDue) {
            guard let slot = instances[id] else { continue }
            batch.instances.append(instanceWrite(slot, snapshot: snapshotDue.contains(id)))
        }
        dirtyRows.removeAll()
        snapshotDue.removeAll()
        let replies = afterCommit
        let posts = postsAfterCommit
        let routes = routesAfterCommit
        let httpPosts = postsHTTPAfterCommit
        afterCommit.removeAll()
        postsAfterCommit.removeAll()
        routesAfterCommit.removeAll()
        postsHTTPAfterCommit.removeAll()
        if !batch.isEmpty {
            do {
                try await store.commit(batch)
                core.markStored(hashes)
            } catch {
                storeFailure = error
                core.logger.critical(
                    "store commit failed; shard \(index) refuses further work until the engine restarts: \(error.message)"
                )
                let failure = EngineError.storeUnavailable(error.message)
                for (_, failed) in replies { failed(failure) }
                return
            }
        }
        if core.hasListeners && !batch.instances.isEmpty {
            let committed = batch.instances.map { $0.row }
            core.notify { l in
                for row in committed {
                    l.journalCommitted(
                        instanceID: row.id, sequence: row.lastSeq, status: Self.status(row))
                }
            }
        }
        for p in posts { p.shard.post(p.message) }
        for (ok, _) in replies { ok() }
        for request in httpPosts { core.postBasicHTTP(request, outboxID: request.idempotencyKey) }
        if !routes.isEmpty { await route(routes, store) }
    }

    /// Publishes events steps sent to `#_router`, now that the steps are durable, then deletes
    /// their outbox entries (a crash before that routes them once more at recovery).
    private func route(_ routes: [(Event, String?)], _ store: any InstanceStore) async {
        var routed: [String] = []
        for (event, eventID) in routes {
            let (_, posts) = core.route(event, eventID: eventID)
            for (shard, message) in posts { shard.post(message) }
            if let eventID { routed.append(eventID) }
        }
        guard !routed.isEmpty else { return }
        do {
            try await store.commit(StoreBatch(delivered: routed))
        } catch {
            core.logger.warning("could not delete routed outbox entries: \(error.message)")
        }
    }

    private func instanceWrite(_ slot: InstanceSlot, snapshot: Bool) -> InstanceWrite {
        let e = slot.executor
        let (status, final) = Self.statusColumns(e.status)
        let row = StoredInstance(
            id: e.id, definitionName: e.definition.name, definitionHash: e.definition.hash,
            status: status,
            finalState: final, snapshot: nil, snapshotSeq: 0, lastSeq: e.seq, startedAt: e.startedAt,
            updatedAt: now, finishedAt: e.finishedAt)
        let write: InstanceWrite.Snapshot
        if snapshot || !e.status.isRunning {
            write = .replace(encodeSnapshot(e), seq: e.seq)
            slot.sinceSnapshot = 0
        } else if let base = slot.snapshotBase {
            write = .clear(baseSeq: base)
        } else {
            write = .keep
        }
        slot.snapshotBase = nil
        return InstanceWrite(row: row, snapshot: write)
    }

    static func status(_ row: StoredInstance) -> InstanceStatus {
        switch row.status {
        case "running": .running
        case "finished": .finished(finalState: row.finalState)
        default: .stopped
        }
    }

    static func statusColumns(_ status: InstanceStatus) -> (String, String?) {
        switch status {
        case .running: ("running", nil)
        case .finished(let f): ("finished", f)
        case .stopped: ("stopped", nil)
        }
    }

    // MARK: Snapshots

    func encodeSnapshot(_ rec: InstanceExecutor) -> String {
        let (status, final) = Self.statusColumns(rec.status)
        let snapshot = DurableSnapshot(
            state: rec.interpreter.snapshot(), status: status, finalState: final, timers: rec.timers,
            timerSeq: rec.timerSeq,
            activities: rec.activities.mapValues {
                DurableSnapshot.Activity(
                    request: $0.request, attempt: $0.attempt, generation: $0.generation,
                    inFlight: $0.inFlight,
                    key: $0.key, retryDue: $0.retryDue)
            }, activityStarts: rec.activityStarts, compensations: rec.compensations,
            compensating: rec.compensating, recent: rec.recentInOrder, correlationKey: rec.correlationKey,
            parent: rec.parentLink, children: rec.children.isEmpty ? nil : rec.children)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // Every field is Codable data the engine produced itself; encoding cannot fail.
        let data = (try? encoder.encode(snapshot)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private func restore(_ row: StoredInstance, _ text: String, _ def: RegisteredDefinition)
        throws(RecoveryError)
        -> InstanceSlot
    {
        let snap: DurableSnapshot
        do {
            snap = try JSONDecoder().decode(DurableSnapshot.self, from: Data(text.utf8))
        } catch {
            throw RecoveryError("its snapshot (after record \(row.snapshotSeq)) cannot be decoded: \(error)")
        }
        let interpreter: Interpreter
        do throws(InterpreterError) {
            interpreter = try Interpreter(
                definition: def.machine, restoring: snap.state, options: core.interpreterOptions)
        } catch {
            throw RecoveryError(
                "its snapshot does not fit definition version \(def.version): \(error.description)")
        }
        var e = InstanceExecutor(
            id: row.id, definition: def, interpreter: interpreter, environment: environment)
        e.seq = row.snapshotSeq
        e.startedAt = row.startedAt
        e.timerSeq = snap.timerSeq
        e.timers = snap.timers
        for (invokeID, a) in snap.activities {
            var run = ActivityRun(request: a.request)
            run.attempt = a.attempt
            run.generation = a.generation
            run.inFlight = a.inFlight
            run.key = a.key
            run.retryDue = a.retryDue
            e.activities[invokeID] = run
        }
        e.activityStarts = snap.activityStarts
        e.compensations = snap.compensations
        e.compensating = snap.compensating
        e.restoreRecent(snap.recent)
        e.correlationKey = snap.correlationKey
        e.parentLink = snap.parent
        e.children = snap.children ?? [:]
        let slot = InstanceSlot(e)
        arm(slot)
        return slot
    }

    /// Arms the timers of a restored instance.
    func arm(_ slot: InstanceSlot) {
        for (key, due) in slot.executor.armedTimers {
            slot.timerTokens[key] = core.timers.schedule(at: due, TimerPayload(instanceID: slot.id, key: key))
        }
    }

    // MARK: Recovery

    /// Rebuilds this shard's instances from their snapshots and journal tails.
    func recover(_ list: [RecoveringInstance]) -> ShardRecovery {
        var report = ShardRecovery()
        var recovered: [InstanceSlot] = []
        replaying = true
        for item in list {
            do throws(RecoveryError) {
                let rec = try recoverInstance(item)
                recovered.append(rec)
                report.instances += 1
                report.records += item.tail.count
            } catch {
                instances[item.row.id] = nil
                report.failures.append(RecoveryFailure(instanceID: item.row.id, message: error.message))
                core.logger.error("cannot recover instance \(item.row.id): \(error.message)")
            }
        }
        replaying = false
        now = core.clock.now()
        // Work that was under way at the crash starts again (same attempt, same idempotency key).
        for slot in recovered where slot.executor.status.isRunning {
            let e = slot.executor
            for (invokeID, run) in e.activities.sorted(by: { $0.key < $1.key }) where run.inFlight {
                spawnAttempt(slot, invokeID, generation: run.generation)
            }
            if let entries = e.compensating {
                spawnCompensation(slot, entries, key: "\(e.id)/compensation/\(e.seq)")
            }
            if let key = e.correlationKey {
                core.setCorrelation(definition: e.definition.name, key: key, instanceID: e.id)
            }
        }
        // Invoked children. Replayed steps re-posted the starts of their step only; instead every
        // child a restored parent still waits for gets its start again — also when the step
        // that invoked it is covered by a snapshot — and the child's shard drops it when the
        // child exists (or reports done.invoke when it finished before the restart). Every
        // restored child asks its parent whether it is still wanted (a lost cancellation).
        recoveryOutgoing.removeAll { post in
            if case .invokeChild = post.message { return true }
            return false
        }
        for slot in recovered where slot.executor.status.isRunning {
            let rec = slot.executor
            for invokeID in rec.children.keys.sorted() {
                guard let link = rec.children[invokeID] else { continue }
                guard let hash = link.definitionHash, let def = core.definition(hash: hash) else {
                    core.logger.error(
                        "recovery: the definition of invoked instance \(link.id) is not available; it is not restarted"
                    )
                    continue
                }
                recoveryOutgoing.append(
                    PendingPost(
                        shard: core.shard(for: link.id),
                        message: .invokeChild(
                            ChildStart(
                                id: link.id, parent: rec.id, invokeID: invokeID, definition: def,
                                data: link.data ?? [], eventID: link.startEventID, replayed: true))))
            }
            if let parent = rec.parentLink {
                recoveryOutgoing.append(
                    PendingPost(
                        shard: core.shard(for: parent.parent),
                        message: .childCheck(
                            childID: rec.id, parent: parent.parent, invokeID: parent.invokeID,
                            startEventID: parent.startEventID)))
            }
        }
        report.outgoing = recoveryOutgoing
        recoveryOutgoing.removeAll()
        return report
    }

    func registerFinished(_ list: [(id: String, lastSeq: Int64)]) {
        for (id, seq) in list where instances[id] == nil { finishedSeqs[id] = seq }
    }

    private func recoverInstance(_ item: RecoveringInstance) throws(RecoveryError) -> InstanceSlot {
        let row = item.row
        var rec: InstanceSlot?
        if let text = row.snapshot {
            guard let def = core.definition(hash: row.definitionHash) else {
                throw RecoveryError(
                    "its definition version \(row.definitionHash.prefix(12)) is not available")
            }
            let r = try restore(row, text, def)
            instances[row.id] = r
            rec = r
        }
        for record in item.tail {
            now = record.time
            let input: InstanceInput
            do throws(StoreError) {
                input = try JournalCodec.decode(
                    kind: record.kind, payload: record.payload, event: record.event)
            } catch {
                throw RecoveryError("journal record \(record.seq): \(error.message)")
            }
            if case .start(let p) = input {
                guard let def = core.definition(hash: p.definitionHash) else {
                    throw RecoveryError(
                        "its definition version \(p.definitionHash.prefix(12)) is not available")
                }
                let parent = p.parent.map {
                    ParentLink(parent: $0, invokeID: p.invokeID ?? "", startEventID: record.eventID)
                }
                rec = startInstance(
                    id: row.id, definition: def, data: p.data, correlationKey: p.correlationKey,
                    parent: parent,
                    replaySeq: record.seq)
                continue
            }
            guard let current = rec else {
                throw RecoveryError(
                    "its journal resumes at record \(record.seq) (\(record.kind.rawValue)) without a snapshot or start"
                )
            }
            current.executor.seq = record.seq
            if case .migrate = input {
                throw RecoveryError(
                    "journal record \(record.seq) is a migration not covered by a snapshot (the store lost a write)"
                )
            }
            guard current.executor.accepts(input) else { continue }
            apply(input, to: current, eventID: record.eventID, record: record.seq)
        }
        guard let result = rec else { throw RecoveryError("it has neither a snapshot nor a start record") }
        result.executor.eventIDs.formUnion(item.eventIDs)
        result.executor.startedAt = row.startedAt
        return result
    }

    // MARK: Migration

    func migrate(_ id: String, _ request: MigrationRequest) -> Result<MigrationReport, EngineError> {
        guard let slot = instances[id] else { return .failure(.noSuchInstance(id)) }
        guard slot.executor.status.isRunning else { return .failure(.notRunning(id)) }
        let target = request.definition
        let from = slot.executor.definition
        func mapped(_ s: String) -> String { request.stateMapping[s] ?? s }
        var state = slot.executor.interpreter.snapshot()
        state.configuration = state.configuration.map(mapped)
        state.initializedStates = state.initializedStates.map(mapped).filter { target.machine.hasState($0) }
        var history: [String: [String]] = [:]
        for (h, value) in state.history {
            let hid = mapped(h)
            // The history state is gone: nothing to keep.
            guard target.machine.hasState(hid) else { continue }
            history[hid] = value.map(mapped)
        }
        state.history = history
        var missing = state.configuration.filter { !target.machine.hasState($0) }
        for value in history.values { missing += value.filter { !target.machine.hasState($0) } }
        if !missing.isEmpty {
            var seen = Set<String>()
            let names = missing.filter { seen.insert($0).inserted }.map { "'\($0)'" }.joined(separator: ", ")
            return .failure(
                .migrationRefused(
                    id,
                    "state \(names) does not exist in '\(target.name)' version \(target.version); map it with stateMapping"
                ))
        }
        if let transform = request.transform {
            do {
                try transform(&state.data)
            } catch {
                return .failure(.migrationRefused(id, "the data transform failed: \(error)"))
            }
        }
        let interpreter: Interpreter
        do throws(InterpreterError) {
            interpreter = try Interpreter(
                definition: target.machine, restoring: state, options: core.interpreterOptions)
        } catch {
            return .failure(.migrationRefused(id, error.description))
        }
        slot.executor.migrated(to: target, interpreter: interpreter)
        if durable {
            slot.executor.seq += 1
            journal(slot, .migrate(fromHash: from.hash, toHash: target.hash), eventID: nil, eventName: nil)
            snapshotDue.insert(id)
            dirtyRows.insert(id)
            if !core.isStored(target.hash) { pendingDefinitions.append(target) }
        }
        return .success(
            MigrationReport(
                instanceID: id, fromVersion: from.version, toVersion: target.version,
                configuration: interpreter.configurationIDs))
    }
}

/// Why one instance could not be recovered.
struct RecoveryError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
