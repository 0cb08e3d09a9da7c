/// Compiled code of a function body.
typealias BodyCode = @Sendable (inout Environment, inout Run) throws(ExpressionError) -> Completion

/// How a statement finished.
enum Completion {
    case normal, breakLoop, continueLoop, returned
}

/// A function value created by a function expression or declaration.
///
/// Functions are immutable and `Sendable`. Variables of enclosing functions that the body uses
/// are **captured by value** when the function value is created (a deliberate deviation from
/// JavaScript closures, which capture variables by reference); globals are read live.
/// Equality is identity or equal source text with equal captured values; a function encodes
/// (`Codable`) as its source text and decodes by compiling it again (captured values are not
/// encoded).
public final class FunctionValue: Sendable, Hashable, CustomStringConvertible {
    /// The source text of the function, from `function` to the closing brace.
    public let source: String
    /// The declared name, if any.
    public let name: String?
    let paramCount: Int
    let frameSize: Int
    let captures: [Value]
    let captureSlots: [Int]
    let selfSlot: Int?
    let body: BodyCode
    let unit: SourceText

    init(
        source: String, name: String?, paramCount: Int, frameSize: Int, captures: [Value],
        captureSlots: [Int],
        selfSlot: Int?, body: @escaping BodyCode, unit: SourceText
    ) {
        self.captureSlots = captureSlots
        self.source = source
        self.name = name
        self.paramCount = paramCount
        self.frameSize = frameSize
        self.captures = captures
        self.selfSlot = selfSlot
        self.body = body
        self.unit = unit
    }

    /// Compiles a function from its source text (`function (a) { return a + 1; }`).
    public convenience init(source: String) throws(ExpressionError) {
        let e = try CompiledExpression.compile("(" + source + "\n)", symbols: SymbolTable())
        var env = Environment(symbols: SymbolTable())
        guard case .function(let f) = try e.evaluate(in: &env) else {
            throw ExpressionError(kind: .syntax, message: "not a function", line: 1, column: 1, offset: 0)
        }
        self.init(
            source: source, name: f.name, paramCount: f.paramCount, frameSize: f.frameSize,
            captures: f.captures,
            captureSlots: f.captureSlots, selfSlot: f.selfSlot, body: f.body, unit: f.unit)
    }

    /// The source text.
    public var description: String { source }

    /// Identity, or equal source and captured values.
    public static func == (lhs: FunctionValue, rhs: FunctionValue) -> Bool {
        lhs === rhs || (lhs.source == rhs.source && lhs.captures == rhs.captures)
    }

    /// Hashes the source text.
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }

    /// Calls the function.
    static func call(
        _ f: FunctionValue, _ args: Args, _ env: inout Environment, _ run: inout Run, at pos: Int32
    ) throws(ExpressionError) -> Value {
        try run.charge(1, at: pos)
        if run.callDepth >= run.limits.maxCallDepth {
            throw ExpressionError(
                .limit, "call depth limit of \(run.limits.maxCallDepth) exceeded (runaway recursion?)",
                at: pos)
        }
        let savedBase = run.base
        let newBase = run.stack.count
        for i in 0..<f.paramCount { run.stack.append(args[i]) }
        let rest = f.frameSize - f.paramCount
        if rest > 0 { run.stack.append(contentsOf: repeatElement(Value.undefined, count: rest)) }
        for (k, slot) in f.captureSlots.enumerated() { run.stack[newBase + slot] = f.captures[k] }
        if let s = f.selfSlot { run.stack[newBase + s] = .function(f) }
        run.base = newBase
        run.callDepth += 1
        let callerUnit = run.unit
        run.unit = f.unit
        defer {
            run.unit = callerUnit
            run.callDepth -= 1
            run.base = savedBase
            run.stack.removeSubrange(newBase...)
        }
        do throws(ExpressionError) {
            let c = try f.body(&env, &run)
            if c == .returned {
                let r = run.returnValue
                run.returnValue = .undefined
                return r
            }
            return .undefined
        } catch {
            // An error inside a function defined in this same text keeps its exact position.
            // One defined elsewhere (a <script> function called from a guard) is reported at
            // the call site, so the host can place it in the document; the message says where
            // in the function's own text it happened.
            if f.unit === callerUnit { throw error }
            if error.line != 0 { throw ExpressionError(error.kind, error.message, at: pos) }
            let inner = error.located(in: f.unit)
            throw ExpressionError(
                error.kind,
                "\(error.message) (in function \(f.name ?? "(anonymous)") at \(inner.line):\(inner.column) of its source)",
                at: pos)
        }
    }
}

/// Call arguments without an array allocation for up to two arguments.
struct Args {
    var count: Int
    var a0: Value = .undefined
    var a1: Value = .undefined
    var all: [Value] = []

    init() { count = 0 }
    init(_ a0: Value) {
        count = 1
        self.a0 = a0
    }
    init(_ a0: Value, _ a1: Value) {
        count = 2
        self.a0 = a0
        self.a1 = a1
    }
    init(_ all: [Value]) {
        count = all.count
        if count > 0 { a0 = all[0] }
        if count > 1 { a1 = all[1] }
        if count > 2 { self.all = all }
    }

    subscript(i: Int) -> Value {
        if i == 0 { return a0 }
        if i == 1 { return a1 }
        return i < count ? all[i] : .undefined
    }

    var array: [Value] {
        if count > 2 { return all }
        if count == 2 { return [a0, a1] }
        if count == 1 { return [a0] }
        return []
    }
}
