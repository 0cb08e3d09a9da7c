public import SwitchyardExpressions

/// Swift closures a machine calls while it runs: functions its expressions call by name, and
/// actions its `<sy:action name="...">` elements run.
///
/// Bindings are fixed when the document is compiled
/// (``MachineDefinition/compile(_:options:warnings:routing:bindings:)``) and travel with the
/// ``MachineDefinition``, so every executor — a bare ``Interpreter``, the `InstanceRunner`, the
/// engine — runs them without further wiring. The Swift DSL (`Machine` in the `Switchyard`
/// module) uses them for guards and actions written as closures.
///
/// - A **function** is called when an expression calls its name and the name is not a data
///   model variable: `cond="approved(_event.data)"`. It gets the evaluated arguments and returns
///   a value. Throwing counts as a failing expression: a guard is then false and
///   `error.execution` is raised (SCXML 5.9.1), exactly as for a `cond` that fails.
/// - An **action** runs an `<sy:action>` of that name, synchronously inside the macrostep, with
///   the same ``CustomActionContext`` an ``Interpreter/actionHandler`` gets (read and write the
///   data model). Bound actions are tried before the interpreter's `actionHandler`. Throwing
///   raises `error.execution` and stops the rest of the block.
///
/// The interpreter stays a pure step function as long as the closures are: they must be
/// deterministic (same data and event, same result), must not block, and should not perform
/// I/O that a replay would repeat.
/// A Swift custom action run by `<sy:action name="...">` (see ``CustomActionHandler``): the
/// one type for actions everywhere — ``HostBindings``, the engine's and the runner's
/// `registerAction`.
public typealias ActionBody = @Sendable (CustomAction, inout CustomActionContext) throws -> Void

public struct HostBindings: Sendable {
    /// A function callable from expressions: evaluated arguments in, value out.
    public typealias Function = @Sendable ([Value]) throws -> Value

    /// Functions by name. A name must be an identifier other than `In`.
    public var functions: [String: Function]
    /// Actions by `<sy:action>` name.
    public var actions: [String: ActionBody]

    /// Bindings with the given functions and actions (none by default).
    public init(functions: [String: Function] = [:], actions: [String: ActionBody] = [:]) {
        self.functions = functions
        self.actions = actions
    }

    /// Whether there are no bindings at all.
    public var isEmpty: Bool { functions.isEmpty && actions.isEmpty }

    /// Calls function `name`; a thrown error that is not an ``ExpressionError`` becomes one
    /// (kind `type`, message `name failed: ...`) positioned at the call site.
    func call(_ name: String, _ function: Function, _ arguments: [Value]) throws(ExpressionError) -> Value {
        do {
            return try function(arguments)
        } catch let error as ExpressionError {
            throw error
        } catch {
            throw ExpressionError(
                kind: .type, message: "\(name) failed: \(error)", line: 0, column: 0, offset: 0)
        }
    }
}
