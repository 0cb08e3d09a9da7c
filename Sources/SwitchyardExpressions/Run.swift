/// The per-evaluation machine state: step budget, the local-variable stack of active function
/// calls, and the host. Not part of the public API.
struct Run {
    unowned(unsafe) var host: (any ExpressionHost)?
    /// The source of the code being evaluated (for positions of errors raised in functions that
    /// were defined in another expression or script).
    unowned(unsafe) var unit: SourceText
    var steps: Int
    let limits: Limits
    var base: Int = 0
    var callDepth: Int = 0
    /// Function-call state, allocated on the first call so that evaluating a plain expression
    /// creates and destroys nothing reference-counted.
    var frames: Frames? = nil

    /// Locals of active function calls.
    var stack: [Value] {
        get { frames?.stack ?? [] }
        _modify {
            if frames == nil { frames = Frames() }
            yield &frames!.stack
        }
    }

    /// The value of the `return` statement being executed.
    var returnValue: Value {
        get { frames?.returnValue ?? .undefined }
        _modify {
            if frames == nil { frames = Frames() }
            yield &frames!.returnValue
        }
    }

    init(limits: Limits, host: (any ExpressionHost)?, unit: SourceText) {
        self.unit = unit
        self.limits = limits
        self.steps = limits.maxSteps
        self.host = host
    }

    /// Charges `n` steps; raises a limit error when the budget is exhausted.
    @inline(__always) mutating func charge(_ n: Int, at pos: Int32) throws(ExpressionError) {
        steps &-= n
        if steps < 0 {
            throw ExpressionError(
                .limit,
                "step limit of \(limits.maxSteps) exceeded (an endless loop or runaway recursion?)",
                at: pos)
        }
    }

    /// Charges the work of scanning or copying `n` bytes or elements.
    @inline(__always) mutating func chargeWork(_ n: Int, at pos: Int32) throws(ExpressionError) {
        if n >= 64 { try charge(n >> 6, at: pos) }
    }

    func checkString(_ s: String, at pos: Int32) throws(ExpressionError) {
        if s.utf8.count > limits.maxStringLength {
            throw ExpressionError(
                .limit, "string longer than the limit of \(limits.maxStringLength) bytes", at: pos)
        }
    }

    func checkArray(_ n: Int, at pos: Int32) throws(ExpressionError) {
        if n > limits.maxArrayLength {
            throw ExpressionError(
                .limit, "array longer than the limit of \(limits.maxArrayLength) elements", at: pos)
        }
    }

    /// Checks that nesting `v` `extra` levels deep stays within the depth limit; charges one step
    /// per container visited.
    mutating func checkNesting(_ v: Value, extra: Int, at pos: Int32) throws(ExpressionError) {
        switch v {
        case .array, .object, .function:
            _ = try depth(of: v, level: extra + 1, at: pos)
        default: return
        }
    }

    private mutating func depth(of v: Value, level: Int, at pos: Int32) throws(ExpressionError) -> Int {
        if level > limits.maxDepth {
            throw ExpressionError(.limit, "value nested deeper than the limit of \(limits.maxDepth)", at: pos)
        }
        switch v {
        case .array(let a):
            try charge(1 + a.count >> 4, at: pos)
            var m = level
            for e in a {
                switch e {
                case .array, .object, .function: m = max(m, try depth(of: e, level: level + 1, at: pos))
                default: break
                }
            }
            return m
        case .object(let o):
            try charge(1 + o.count >> 4, at: pos)
            var m = level
            for e in o.values {
                switch e {
                case .array, .object, .function: m = max(m, try depth(of: e, level: level + 1, at: pos))
                default: break
                }
            }
            return m
        case .function(let f):
            try charge(1 + f.captures.count >> 4, at: pos)
            var m = level
            for e in f.captures {
                switch e {
                case .array, .object, .function: m = max(m, try depth(of: e, level: level + 1, at: pos))
                default: break
                }
            }
            return m
        default: return level
        }
    }
}

/// Storage for function-call frames of one evaluation.
final class Frames {
    var stack: [Value] = []
    var returnValue: Value = .undefined
}
