import SwitchyardCore
import SwitchyardExpressions
import Synchronization

/// A topic pattern: an exact event name (`document.submitted`), a prefix wildcard
/// (`document.*`, matching every name that starts with `document.`), or `*` (every event).
public enum TopicPattern: Sendable, Hashable, CustomStringConvertible {
    case exact(String)
    case prefix(String)
    case any

    /// Parses a pattern; `*` may appear only alone or as the last segment after a dot.
    public init(_ text: String) throws(EngineError) {
        if text == "*" {
            self = .any
        } else if text.hasSuffix(".*") {
            let head = String(text.dropLast(1))
            guard !head.dropLast().isEmpty, !head.dropLast().contains("*") else {
                throw .invalidTopic(text)
            }
            self = .prefix(head)
        } else {
            guard !text.isEmpty, !text.contains("*") else { throw .invalidTopic(text) }
            self = .exact(text)
        }
    }

    /// Whether an event with this name matches.
    public func matches(_ name: String) -> Bool {
        switch self {
        case .any: true
        case .exact(let t): t == name
        case .prefix(let p): name.hasPrefix(p)
        }
    }

    public var description: String {
        switch self {
        case .any: "*"
        case .exact(let t): t
        case .prefix(let p): p + "*"
        }
    }
}

/// A compiled filter: an expression evaluated with `_event` bound to the event.
struct EventFilter: Sendable {
    let expression: CompiledExpression
    let symbols: SymbolTable
    let eventSlot: Int

    init(_ source: String) throws(EngineError) {
        var symbols = SymbolTable()
        eventSlot = symbols.declare("_event", readOnly: true)
        self.symbols = symbols
        do {
            expression = try CompiledExpression.compile(source, symbols: symbols)
        } catch {
            throw .invalidExpression("'\(source)': \(error.message)")
        }
    }

    func environment(for event: Event) -> Environment {
        var env = Environment(symbols: symbols)
        env[eventSlot] = EventFilter.eventValue(event)
        return env
    }

    func test(_ event: Event) throws(ExpressionError) -> Bool {
        var env = environment(for: event)
        return try expression.evaluateCondition(in: &env)
    }

    func value(_ event: Event) throws(ExpressionError) -> Value {
        var env = environment(for: event)
        return try expression.evaluate(in: &env)
    }

    /// `_event` as machines see it (SCXML 5.10.1).
    static func eventValue(_ event: Event) -> Value {
        var o = JSObject()
        o["name"] = .string(event.name)
        o["type"] = .string(event.kind.rawValue)
        o["sendid"] = event.sendID.map { Value.string($0) } ?? .undefined
        o["origin"] = event.origin.map { Value.string($0) } ?? .undefined
        o["origintype"] = event.originType.map { Value.string($0) } ?? .undefined
        o["invokeid"] = event.invokeID.map { Value.string($0) } ?? .undefined
        o["data"] = event.data
        return .object(o)
    }
}

/// A machine trigger: start an instance of `definition` with the id computed by `idExpression`.
struct Trigger: Sendable {
    var definition: String
    var idExpression: EventFilter
    var onConflict: ConflictPolicy
    var onFinished: ReusePolicy
    /// Set for choosing triggers: picks the definition per event (`definition` is then unused).
    var choose: (@Sendable (Event) -> TriggerChoice)? = nil
    /// The started instance also receives the triggering event.
    var deliver = false
}

/// A registered handler.
struct RouteHandler: Sendable {
    enum Action: Sendable {
        case closure(@Sendable (Event) -> HandlerResult)
        case trigger(Trigger)
    }
    var id: HandlerID
    var pattern: TopicPattern
    var filter: EventFilter?
    var priority: Int
    var action: Action

    /// Dispatch order: higher priority first, then registration order.
    static func before(_ a: RouteHandler, _ b: RouteHandler) -> Bool {
        a.priority > b.priority || (a.priority == b.priority && a.id.rawValue < b.id.rawValue)
    }
}

/// The handler table. Handlers for a topic are looked up once per distinct event name and
/// cached (already in dispatch order) until the table changes, so dispatch cost grows with the
/// handlers that match, not with the handlers registered.
final class EventRouter: Sendable {
    private struct Table {
        var handlers: [RouteHandler] = []
        var nextID: UInt64 = 1
        var cache: [String: [RouteHandler]] = [:]
    }
    private let table = Mutex(Table())

    func add(
        pattern: TopicPattern, filter: EventFilter?, priority: Int, action: RouteHandler.Action
    ) -> HandlerID {
        table.withLock { t in
            let id = HandlerID(rawValue: t.nextID)
            t.nextID += 1
            t.handlers.append(
                RouteHandler(id: id, pattern: pattern, filter: filter, priority: priority, action: action))
            t.cache.removeAll(keepingCapacity: true)
            return id
        }
    }

    @discardableResult
    func remove(_ id: HandlerID) -> Bool {
        table.withLock { t in
            let before = t.handlers.count
            t.handlers.removeAll { $0.id == id }
            t.cache.removeAll(keepingCapacity: true)
            return t.handlers.count != before
        }
    }

    /// The handlers whose pattern matches `name`, in dispatch order.
    func handlers(for name: String) -> [RouteHandler] {
        table.withLock { t in
            if let hit = t.cache[name] { return hit }
            let matching = t.handlers.filter { $0.pattern.matches(name) }.sorted(by: RouteHandler.before)
            if t.cache.count > 10_000 { t.cache.removeAll(keepingCapacity: true) }
            t.cache[name] = matching
            return matching
        }
    }

    var count: Int { table.withLock { $0.handlers.count } }
}
