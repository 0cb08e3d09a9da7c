import SwitchyardCore
import SwitchyardExpressions

/// The registries and settings of the performer that runs a set of ``InstanceExecutor``s: what an
/// executor may consult while it applies an input. Shared by the executors of one performer and
/// used only on that performer's thread.
final class ExecutorEnvironment: @unchecked Sendable {
    /// Give outgoing events stable ids (`<sender>#<record>.<n>`) so receivers can drop repeats:
    /// set for durable performers, whose replays repeat sends.
    let stableIDs: Bool
    /// Names of recent events kept per instance (``InstanceSnapshot/recentEvents``).
    let historyLength: Int
    /// Options for the interpreters the executors create.
    let interpreterOptions: InterpreterOptions
    /// Custom actions (`<sy:action>`, `<sy:compensation>`, `<sy:compensate>`) of every
    /// interpreter of this performer.
    let actionHandler: ExecutorActionHandler
    /// Set on every interpreter: `#_scxml_<id>` sends to unknown sessions fail in the macrostep.
    let instanceDirectory: InstanceDirectory?
    /// A registered activity by name.
    let activity: @Sendable (String) -> RegisteredActivity?
    /// The definition of an `<invoke type="scxml">` child.
    let childDefinition:
        @Sendable (InvokeRequest, RegisteredDefinition) -> Result<RegisteredDefinition, InvokeFailure>
    /// Numbers that order a child's events against its parent's cancellation of it.
    let nextSendStamp: @Sendable () -> UInt64
    /// The Basic HTTP Event I/O Processor's transport: gives every session its location.
    let basicHTTP: (any BasicHTTPTransport)?
    /// Whether anybody observes effects and received events; the performer keeps it current.
    // Read per macrostep, written between batches on the same thread: no dynamic exclusivity
    // check needed.
    @exclusivity(unchecked) var observing = false

    init(
        stableIDs: Bool, historyLength: Int, interpreterOptions: InterpreterOptions,
        actionHandler: ExecutorActionHandler, instanceDirectory: InstanceDirectory? = nil,
        activity: @escaping @Sendable (String) -> RegisteredActivity?,
        childDefinition:
            @escaping @Sendable (InvokeRequest, RegisteredDefinition) -> Result<
                RegisteredDefinition, InvokeFailure
            >,
        nextSendStamp: @escaping @Sendable () -> UInt64,
        basicHTTP: (any BasicHTTPTransport)? = nil
    ) {
        self.basicHTTP = basicHTTP
        self.stableIDs = stableIDs
        self.historyLength = historyLength
        self.interpreterOptions = interpreterOptions
        self.actionHandler = actionHandler
        self.instanceDirectory = instanceDirectory
        self.activity = activity
        self.childDefinition = childDefinition
        self.nextSendStamp = nextSendStamp
    }
}

/// Runs custom actions inside macrosteps: the built-ins first (`<sy:compensation activity="...">`
/// records a compensation, `<sy:compensate/>` asks to run them), then actions registered by name.
/// The executor collects what the built-ins recorded after each macrostep.
final class ExecutorActionHandler: CustomActionHandler, @unchecked Sendable {
    // Used only by the owning performer's thread, inside a macrostep.
    let lookup: @Sendable (String) -> ActionBody?
    /// What a missing registration does: the engine raises `error.execution`; a performer that
    /// runs machines without their host code may treat it as a no-op.
    let ignoreUnregistered: Bool
    // Touched only inside a macrostep and right after it, on the performer's thread.
    @exclusivity(unchecked) var compensateRequested = false
    @exclusivity(unchecked) var recorded: [CompensationEntry] = []

    init(ignoreUnregistered: Bool = false, lookup: @escaping @Sendable (String) -> ActionBody?) {
        self.lookup = lookup
        self.ignoreUnregistered = ignoreUnregistered
    }

    func perform(_ action: CustomAction, context: inout CustomActionContext) throws {
        switch action.name {
        case "compensate":
            compensateRequested = true
        case "compensation":
            guard let activity = action.element.attribute("activity")?.value else {
                throw CustomActionError("<sy:compensation> needs an 'activity' attribute")
            }
            recorded.append(CompensationEntry(activity: activity, params: action.params))
        default:
            guard let body = lookup(action.name) else {
                if ignoreUnregistered { return }
                throw CustomActionError("no action registered as '\(action.name)'")
            }
            try body(action, &context)
        }
    }
}
