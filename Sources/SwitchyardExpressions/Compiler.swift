/// Compiled code of an expression: a closure tree over the environment and the run state.
typealias Code = @Sendable (inout Environment, inout Run) throws(ExpressionError) -> Value
/// Compiled code of an expression used as a condition.
typealias CondCode = @Sendable (inout Environment, inout Run) throws(ExpressionError) -> Bool

/// Where a name lives.
enum Resolved {
    /// A slot in the current function's frame.
    case local(Int, isConst: Bool)
    /// A slot of the environment known at compile time.
    case global(Int, readOnly: Bool, isConst: Bool)
    /// A name looked up in `env.symbols` at run time.
    case dynamic(String)
}

/// The variables of a function being compiled.
final class FunctionScope {
    var names: [String: Int] = [:]
    var consts: Set<String> = []
    var frameSize = 0
    var captureSources: [Int] = []  // parent slots
    var captureSlots: [Int] = []  // our slots
    let parent: FunctionScope?
    let selfName: String?
    var selfSlot: Int?

    init(parent: FunctionScope?, selfName: String?) {
        self.parent = parent
        self.selfName = selfName
    }

    func declare(_ name: String) -> Int {
        if let s = names[name] { return s }
        let s = frameSize
        frameSize += 1
        names[name] = s
        return s
    }

    /// The local slot for `name`, capturing it from enclosing functions when needed.
    func resolve(_ name: String) -> Int? {
        if let s = names[name] { return s }
        if name == selfName {
            let s = declare(name)
            selfSlot = s
            return s
        }
        guard let p = parent, let outer = p.resolve(name) else { return nil }
        let s = declare(name)
        if p.consts.contains(name) { consts.insert(name) }
        captureSources.append(outer)
        captureSlots.append(s)
        return s
    }
}

/// Options for compiling expressions and scripts.
public struct CompileOptions: Sendable, Hashable {
    /// Names of functions the host implements (e.g. `["In"]`); calls go to
    /// ``ExpressionHost/callHostFunction(_:arguments:)``.
    public var hostFunctions: Set<String>
    /// Limits for parsing (nesting depth).
    public var limits: Limits
    /// Whether to fold constant sub-expressions at compile time.
    public var constantFolding: Bool

    /// Creates options.
    public init(hostFunctions: Set<String> = [], limits: Limits = .default, constantFolding: Bool = true) {
        self.hostFunctions = hostFunctions
        self.limits = limits
        self.constantFolding = constantFolding
    }
}

/// Resolves names, folds constants and emits closures.
struct Compiler {
    var symbols: SymbolTable
    let options: CompileOptions
    let unit: SourceText
    var scope: FunctionScope? = nil
    var globalConsts: Set<String> = []

    init(symbols: SymbolTable, options: CompileOptions, unit: SourceText) {
        self.symbols = symbols
        self.options = options
        self.unit = unit
    }

    static let namespaces: Set<String> = ["Math", "JSON", "Object", "Array", "Number"]

    func resolve(_ name: String) -> Resolved {
        if let scope, let s = scope.resolve(name) { return .local(s, isConst: scope.consts.contains(name)) }
        if let s = symbols.slot(of: name) {
            return .global(s, readOnly: symbols.isReadOnly(s), isConst: globalConsts.contains(name))
        }
        return .dynamic(name)
    }

    /// True when `name` is not a variable anywhere (so it can denote a built-in).
    func isUnbound(_ name: String) -> Bool {
        var s = scope
        while let f = s {
            if f.names[name] != nil || f.selfName == name { return false }
            s = f.parent
        }
        return symbols.slot(of: name) == nil
    }

    static func referenceError(_ name: String, at pos: Int32) -> ExpressionError {
        ExpressionError(.reference, "'\(name)' is not defined", at: pos)
    }

    // MARK: variable access

    func load(_ r: Resolved, at pos: Int32) -> Code {
        switch r {
        case .local(let i, _):
            return { _, run in run.frames!.stack[run.base &+ i] }
        case .global(let i, _, _):
            return { env, _ throws(ExpressionError) in
                guard i < env.slots.count else {
                    throw Compiler.referenceError(
                        env.symbols.names.count > i ? env.symbols.names[i] : "#\(i)", at: pos)
                }
                return env.slots[i]
            }
        case .dynamic(let name):
            return { env, _ throws(ExpressionError) in
                guard let i = env.symbols.slot(of: name) else { throw Compiler.referenceError(name, at: pos) }
                return env[i]
            }
        }
    }

    /// Emits code that stores a value into a variable (not a property).
    func storeVariable(_ r: Resolved, at pos: Int32, initializing: Bool = false)
        -> @Sendable (inout Environment, inout Run, Value) throws(ExpressionError) -> Void
    {
        switch r {
        case .local(let i, let isConst):
            if isConst && !initializing {
                return { _, _, _ throws(ExpressionError) in
                    throw Ops.typeError("assignment to constant variable", at: pos)
                }
            }
            return { _, run, v in run.stack[run.base &+ i] = v }
        case .global(let i, let readOnly, let isConst):
            if (readOnly || isConst) && !initializing {
                let name = symbols.names[i]
                return { _, _, _ throws(ExpressionError) in
                    throw Ops.typeError(
                        isConst ? "assignment to constant variable '\(name)'" : "'\(name)' is read-only",
                        at: pos)
                }
            }
            return { env, _, v in env[i] = v }
        case .dynamic(let name):
            return { env, _, v throws(ExpressionError) in
                guard let i = env.symbols.slot(of: name) else { throw Compiler.referenceError(name, at: pos) }
                if env.symbols.isReadOnly(i) { throw Ops.typeError("'\(name)' is read-only", at: pos) }
                env[i] = v
            }
        }
    }

    // MARK: constants

    /// The value of a constant expression, or nil.
    func constant(_ e: Expr) -> Value? {
        if !options.constantFolding {
            switch e.kind {
            case .number, .string, .bool, .null, .undefined, .identifier: break
            default: return nil
            }
        }
        switch e.kind {
        case .number(let d): return .number(d)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .null: return .null
        case .undefined: return .undefined
        case .identifier(let n):
            guard isUnbound(n) else { return nil }
            switch n {
            case "undefined": return .undefined
            case "NaN": return .number(.nan)
            case "Infinity": return .number(.infinity)
            default: return nil
            }
        case .unary(let op, let a):
            guard op != .typeof, let x = constant(a) else { return nil }
            return Compiler.unary(op, x)
        case .binary(let op, let a, let b):
            guard op != .in, op != .instanceof, let x = constant(a), let y = constant(b) else { return nil }
            if case .array = x { return nil }
            if case .object = x { return nil }
            if case .array = y { return nil }
            if case .object = y { return nil }
            var run = Run(limits: options.limits, host: nil, unit: unit)
            return try? Compiler.binary(op, x, y, &run, at: 0)
        case .logical(let op, let a, let b):
            guard let x = constant(a) else { return nil }
            switch op {
            case .and: return x.truthy ? constant(b) : x
            case .or: return x.truthy ? x : constant(b)
            case .nullish: return x.isNullish ? constant(b) : x
            }
        case .conditional(let c, let a, let b):
            guard let x = constant(c) else { return nil }
            return x.truthy ? constant(a) : constant(b)
        default: return nil
        }
    }

    static func unary(_ op: UnaryOp, _ x: Value) -> Value {
        switch op {
        case .not: return .bool(!x.truthy)
        case .neg: return .number(-x.jsNumber)
        case .plus: return .number(x.jsNumber)
        case .bnot: return .number(Double(~JSNumber.toInt32(x.jsNumber)))
        case .typeof: return .string(x.typeName)
        case .void: return .undefined
        }
    }

    static func binary(_ op: BinaryOp, _ x: Value, _ y: Value, _ run: inout Run, at pos: Int32)
        throws(ExpressionError) -> Value
    {
        switch op {
        case .add: return try Ops.add(x, y, &run, at: pos)
        case .sub, .mul, .div, .mod, .pow, .band, .bor, .bxor, .shl, .shr, .ushr:
            if case .number(let a) = x, case .number(let b) = y { return .number(Ops.arith(op, a, b)) }
            return .number(Ops.arith(op, x.jsNumber, y.jsNumber))
        case .lt, .le, .gt, .ge, .eq, .ne, .seq, .sne:
            return .bool(Ops.compare(op, x, y))
        case .in:
            switch y {
            case .object(let o): return .bool(o[x.jsString] != nil)
            case .array(let a):
                if case .number(let d) = x, let i = JSNumber.arrayIndex(d) { return .bool(i < a.count) }
                let k = x.jsString
                if k == "length" { return .bool(true) }
                if let i = Ops.canonicalIndex(k) { return .bool(i < a.count) }
                return .bool(false)
            default:
                throw Ops.typeError(
                    "cannot use 'in' to search for '\(x.jsString)' in \(Ops.describe(y))", at: pos)
            }
        case .instanceof:
            if case .function = y { return .bool(false) }
            throw Ops.typeError("right-hand side of 'instanceof' is not callable", at: pos)
        }
    }

    // MARK: expressions

    mutating func compile(_ e: Expr) throws(ExpressionError) -> Code {
        if let c = constant(e) {
            switch e.kind {
            case .array, .object: break
            default: return { _, _ in c }
            }
        }
        let pos = e.pos
        switch e.kind {
        case .number(let d): return { _, _ in .number(d) }
        case .string(let s): return { _, _ in .string(s) }
        case .regex(let re): return { _, _ in .regex(RegexValue(sharing: re)) }
        case .bool(let b): return { _, _ in .bool(b) }
        case .null: return { _, _ in .null }
        case .undefined: return { _, _ in .undefined }
        case .identifier(let name):
            return load(resolve(name), at: e.start)
        case .array(let items):
            let codes = try items.map { (x) throws(ExpressionError) in try compile(x) }
            return { env, run throws(ExpressionError) in
                var out: [Value] = []
                out.reserveCapacity(codes.count)
                for c in codes {
                    let v = try c(&env, &run)
                    try run.checkNesting(v, extra: 1, at: pos)
                    out.append(v)
                }
                return .array(out)
            }
        case .object(let props):
            let keys = props.map(\.key)
            let codes = try props.map { (p) throws(ExpressionError) in try compile(p.value) }
            return { env, run throws(ExpressionError) in
                var o = JSObject()
                for (k, c) in zip(keys, codes) {
                    let v = try c(&env, &run)
                    try run.checkNesting(v, extra: 1, at: pos)
                    o[k] = v
                }
                return .object(o)
            }
        case .member(let obj, let name):
            if case .identifier(let ns) = obj.kind, Compiler.namespaces.contains(ns), isUnbound(ns) {
                guard let v = Compiler.namespaceConstant(ns, name) else {
                    throw ExpressionError(.reference, "'\(ns).\(name)' is not supported", at: pos)
                }
                return { _, _ in v }
            }
            let o = try compile(obj)
            let key = Value.string(name)
            if name == "length" {
                return { env, run throws(ExpressionError) in
                    let v = try o(&env, &run)
                    switch v {
                    case .array(let a): return .number(Double(a.count))
                    case .string(let s): return .number(Double(s.utf16.count))
                    default: return try Ops.getProperty(v, key, at: pos)
                    }
                }
            }
            return { env, run throws(ExpressionError) in try Ops.getProperty(try o(&env, &run), key, at: pos)
            }
        case .index(let obj, let idx):
            let o = try compile(obj)
            let i = try compile(idx)
            return { env, run throws(ExpressionError) in
                let ov = try o(&env, &run)
                let iv = try i(&env, &run)
                return try Ops.getProperty(ov, iv, at: pos)
            }
        case .call(let callee, let args):
            if let c = try compileFastContains(callee, args, at: pos) {
                return { env, run throws(ExpressionError) in .bool(try c(&env, &run)) }
            }
            return try compileCall(callee, args, at: pos)
        case .unary(let op, let a):
            if op == .typeof, case .identifier(let name) = a.kind, case .dynamic = resolve(name),
                constant(a) == nil
            {
                return { env, _ in
                    guard let i = env.symbols.slot(of: name) else { return .string("undefined") }
                    return .string(env[i].typeName)
                }
            }
            if op == .not {
                let c = try compileCond(a)
                return { env, run throws(ExpressionError) in .bool(!(try c(&env, &run))) }
            }
            let c = try compile(a)
            switch op {
            case .neg:
                return { env, run throws(ExpressionError) in
                    let v = try c(&env, &run)
                    if case .number(let d) = v { return .number(-d) }
                    return .number(-v.jsNumber)
                }
            default:
                return { env, run throws(ExpressionError) in Compiler.unary(op, try c(&env, &run)) }
            }
        case .update(let increment, let prefix, let target):
            let loc = try compileLocation(target)
            let delta = increment ? 1.0 : -1.0
            return { env, run throws(ExpressionError) in
                var result = Value.undefined
                try loc.update(&env, &run) { old, _ throws(ExpressionError) in
                    let n = old.jsNumber
                    result = .number(prefix ? n + delta : n)
                    return .number(n + delta)
                }
                return result
            }
        case .binary(let op, let a, let b):
            switch op {
            case .lt, .le, .gt, .ge, .eq, .ne, .seq, .sne:
                let c = try compileCompare(op, a, b, at: pos)
                return { env, run throws(ExpressionError) in .bool(try c(&env, &run)) }
            case .instanceof:
                if case .identifier(let n) = b.kind, isUnbound(n) {
                    let x = try compile(a)
                    switch n {
                    case "Array":
                        return { env, run throws(ExpressionError) in
                            if case .array = try x(&env, &run) { return .bool(true) }
                            return .bool(false)
                        }
                    case "Object":
                        return { env, run throws(ExpressionError) in
                            switch try x(&env, &run) {
                            case .array, .object, .function, .regex: return .bool(true)
                            default: return .bool(false)
                            }
                        }
                    case "RegExp":
                        return { env, run throws(ExpressionError) in
                            if case .regex = try x(&env, &run) { return .bool(true) }
                            return .bool(false)
                        }
                    case "Function":
                        return { env, run throws(ExpressionError) in
                            if case .function = try x(&env, &run) { return .bool(true) }
                            return .bool(false)
                        }
                    case "String", "Number", "Boolean":
                        return { env, run throws(ExpressionError) in
                            _ = try x(&env, &run)
                            return .bool(false)
                        }
                    default: break
                    }
                }
            default: break
            }
            if case .slotPlus(let slot, let addend)? = simpleForm(e) {
                // `variable ± number`: one closure reading the slot in place (the general form
                // below calls three).
                let general = try compileBinary(op, a, b, at: pos)
                return { env, run throws(ExpressionError) in
                    if slot < env.slots.count, case .number(let x) = env.slots[slot] {
                        return .number(x + addend)
                    }
                    return try general(&env, &run)
                }
            }
            return try compileBinary(op, a, b, at: pos)
        case .logical(let op, let a, let b):
            if op != .nullish && Compiler.isBoolean(a) {
                // The left operand is a boolean: evaluate it as a condition (no Value traffic).
                let x = try compileCond(a)
                let y = try compile(b)
                if op == .and {
                    return { env, run throws(ExpressionError) in
                        try x(&env, &run) ? try y(&env, &run) : .bool(false)
                    }
                }
                return { env, run throws(ExpressionError) in
                    try x(&env, &run) ? .bool(true) : try y(&env, &run)
                }
            }
            let x = try compile(a)
            let y = try compile(b)
            switch op {
            case .and:
                return { env, run throws(ExpressionError) in
                    let l = try x(&env, &run)
                    return l.truthy ? try y(&env, &run) : l
                }
            case .or:
                return { env, run throws(ExpressionError) in
                    let l = try x(&env, &run)
                    return l.truthy ? l : try y(&env, &run)
                }
            case .nullish:
                return { env, run throws(ExpressionError) in
                    let l = try x(&env, &run)
                    return l.isNullish ? try y(&env, &run) : l
                }
            }
        case .conditional(let c, let a, let b):
            let t = try compileCond(c)
            let x = try compile(a)
            let y = try compile(b)
            return { env, run throws(ExpressionError) in
                try t(&env, &run) ? try x(&env, &run) : try y(&env, &run)
            }
        case .assign(let op, let lop, let target, let value):
            return try compileAssign(op, lop, target, value, at: pos)
        case .comma(let items):
            let codes = try items.map { (x) throws(ExpressionError) in try compile(x) }
            return { env, run throws(ExpressionError) in
                var v = Value.undefined
                for c in codes { v = try c(&env, &run) }
                return v
            }
        case .function(let decl):
            return try compileFunction(decl)
        }
    }

    /// Whether an expression always produces a boolean.
    static func isBoolean(_ e: Expr) -> Bool {
        switch e.kind {
        case .bool: return true
        case .unary(.not, _): return true
        case .binary(let op, _, _):
            switch op {
            case .lt, .le, .gt, .ge, .eq, .ne, .seq, .sne, .in, .instanceof: return true
            default: return false
            }
        case .logical(.and, let a, let b), .logical(.or, let a, let b): return isBoolean(a) && isBoolean(b)
        default: return false
        }
    }

    static func namespaceConstant(_ ns: String, _ name: String) -> Value? {
        switch (ns, name) {
        case ("Math", "PI"): return .number(Double.pi)
        case ("Math", "E"): return .number(2.718281828459045)
        case ("Math", "LN2"): return .number(0.6931471805599453)
        case ("Math", "LN10"): return .number(2.302585092994046)
        case ("Math", "SQRT2"): return .number(1.4142135623730951)
        case ("Number", "MAX_SAFE_INTEGER"): return .number(9_007_199_254_740_991)
        case ("Number", "MIN_SAFE_INTEGER"): return .number(-9_007_199_254_740_991)
        case ("Number", "MAX_VALUE"): return .number(Double.greatestFiniteMagnitude)
        case ("Number", "MIN_VALUE"): return .number(Double.leastNonzeroMagnitude)
        case ("Number", "EPSILON"): return .number(Double.ulpOfOne)
        case ("Number", "POSITIVE_INFINITY"): return .number(.infinity)
        case ("Number", "NEGATIVE_INFINITY"): return .number(-.infinity)
        case ("Number", "NaN"): return .number(.nan)
        default: return nil
        }
    }

    // MARK: conditions

    /// Compiles an expression whose value is only used for its truthiness.
    mutating func compileCond(_ e: Expr) throws(ExpressionError) -> CondCode {
        if let c = constant(e) {
            let b = c.truthy
            return { _, _ in b }
        }
        switch e.kind {
        case .logical(.and, let a, let b):
            let x = try compileCond(a)
            let y = try compileCond(b)
            return { env, run throws(ExpressionError) in
                if !(try x(&env, &run)) { return false }
                return try y(&env, &run)
            }
        case .logical(.or, let a, let b):
            let x = try compileCond(a)
            let y = try compileCond(b)
            return { env, run throws(ExpressionError) in
                if try x(&env, &run) { return true }
                return try y(&env, &run)
            }
        case .unary(.not, let a):
            let x = try compileCond(a)
            return { env, run throws(ExpressionError) in !(try x(&env, &run)) }
        case .binary(let op, let a, let b):
            switch op {
            case .lt, .le, .gt, .ge, .eq, .ne, .seq, .sne:
                return try compileCompare(op, a, b, at: e.pos)
            default: break
            }
        case .call(let callee, let args):
            if let c = try compileFastContains(callee, args, at: e.pos) { return c }
        case .identifier(let name):
            if case .global(let i, _, _) = resolve(name) {
                let pos = e.start
                return { env, _ throws(ExpressionError) in
                    guard i < env.slots.count else { throw Compiler.referenceError(name, at: pos) }
                    switch env.slots[i] {
                    case .bool(let b): return b
                    case let v: return v.truthy
                    }
                }
            }
        default: break
        }
        let c = try compile(e)
        return { env, run throws(ExpressionError) in try c(&env, &run).truthy }
    }
}

extension Compiler {
    /// A binary operator with no specialised form: both operands as values.
    mutating func compileBinary(_ op: BinaryOp, _ a: Expr, _ b: Expr, at pos: Int32) throws(ExpressionError)
        -> Code
    {
        let x = try compile(a)
        let y = try compile(b)
        if op == .add {
            return { env, run throws(ExpressionError) in
                let l = try x(&env, &run)
                let r = try y(&env, &run)
                if case .number(let p) = l, case .number(let q) = r { return .number(p + q) }
                return try Ops.add(l, r, &run, at: pos)
            }
        }
        return { env, run throws(ExpressionError) in
            let l = try x(&env, &run)
            let r = try y(&env, &run)
            return try Compiler.binary(op, l, r, &run, at: pos)
        }
    }
}
