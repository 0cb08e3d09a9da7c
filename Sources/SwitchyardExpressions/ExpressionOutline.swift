/// The static shape of an expression, for hosts that check and explain conditions: its `&&`/`||`
/// structure down to the operands, the functions and methods it calls, and the variables it
/// reads.
///
/// A rule engine compiles each operand separately so it can report which part of a condition
/// was false (`amount > 10000` was false), checks ``calls`` for names that are not built in, and
/// declares ``freeVariables`` in its ``SymbolTable`` so every read is a slot read. Positions are
/// 1-based line and column (Unicode scalars) inside the expression text, like
/// ``ExpressionError``.
public struct ExpressionOutline: Sendable, Hashable {
    /// A node of the logical structure. Chains of the same operator are flattened
    /// (`a && b && c` is one ``all(_:)`` with three children); parentheses only group.
    public indirect enum Node: Sendable, Hashable {
        /// `&&`: true when every child is true (evaluated left to right, short-circuit).
        case all([Node])
        /// `||`: true when some child is true (evaluated left to right, short-circuit).
        case any([Node])
        /// Anything else: a comparison, a call, `!x`, `a ?? b`, ...
        case operand(Span)
    }

    /// A piece of the expression text and where it starts.
    public struct Span: Sendable, Hashable {
        /// The text of the piece (without enclosing parentheses).
        public var text: String
        /// 1-based line of the first character inside the expression text.
        public var line: Int
        /// 1-based column (Unicode scalars) of the first character.
        public var column: Int
        /// 0-based scalar offset of the first character.
        public var offset: Int

        /// Creates a span.
        public init(text: String, line: Int, column: Int, offset: Int) {
            self.text = text
            self.line = line
            self.column = column
            self.offset = offset
        }
    }

    /// A call found in the expression.
    public struct Call: Sendable, Hashable {
        /// Whether the call is of a function (`parseInt(x)`, `Math.max(a, b)`) or a method of a
        /// value (`keywords.contains('x')`).
        public enum Kind: String, Sendable, Hashable {
            case function, method
        }
        /// The kind of call.
        public var kind: Kind
        /// The name as written: `parseInt`, `Math.max`, `contains`.
        public var name: String
        /// Whether the language (or a host function in the compile options) provides it. A call
        /// of anything else fails at run time unless the value is a function.
        public var isBuiltin: Bool
        /// 1-based line of the name.
        public var line: Int
        /// 1-based column of the name.
        public var column: Int
    }

    /// The `&&`/`||` structure.
    public var root: Node
    /// Every call outside function literals, in source order.
    public var calls: [Call]
    /// Names read as variables (not built-ins such as `Math` or `parseInt`), in order of first
    /// use, outside function literals.
    public var freeVariables: [String]

    /// Parses `source` and returns its outline.
    ///
    /// - Throws: the same syntax and limit errors as ``CompiledExpression/compile(_:symbols:options:)``.
    public static func parse(_ source: String, options: CompileOptions = .init()) throws(ExpressionError)
        -> ExpressionOutline
    {
        let unit = SourceText(source)
        do throws(ExpressionError) {
            var p = try Parser(unit, maxDepth: options.limits.maxDepth)
            let e = try p.parseWholeExpression()
            var walker = OutlineWalker(unit: unit, hostFunctions: options.hostFunctions)
            walker.visit(e)
            return ExpressionOutline(
                root: walker.node(e), calls: walker.calls, freeVariables: walker.variables)
        } catch {
            throw error.located(in: unit)
        }
    }
}

/// Collects calls and variables, and builds the logical tree.
private struct OutlineWalker {
    let unit: SourceText
    let hostFunctions: Set<String>
    var calls: [ExpressionOutline.Call] = []
    var variables: [String] = []
    var seen: Set<String> = []

    init(unit: SourceText, hostFunctions: Set<String>) {
        self.unit = unit
        self.hostFunctions = hostFunctions
    }

    static let constants: Set<String> = ["undefined", "NaN", "Infinity"]

    func span(_ e: Expr) -> ExpressionOutline.Span {
        let start = max(0, min(Int(e.start), unit.bytes.count))
        let end = max(start, min(Int(e.end), unit.bytes.count))
        let text = String(decoding: unit.bytes[start..<end], as: UTF8.self)
        let (l, c, o) = unit.position(ofByte: start)
        return .init(text: text, line: l, column: c, offset: o)
    }

    func node(_ e: Expr) -> ExpressionOutline.Node {
        if case .logical(let op, _, _) = e.kind, op != .nullish {
            var parts: [ExpressionOutline.Node] = []
            flatten(e, op, &parts)
            return op == .and ? .all(parts) : .any(parts)
        }
        return .operand(span(e))
    }

    func flatten(_ e: Expr, _ op: LogicalOp, _ out: inout [ExpressionOutline.Node]) {
        if case .logical(let o, let a, let b) = e.kind, o == op {
            flatten(a, op, &out)
            flatten(b, op, &out)
        } else {
            out.append(node(e))
        }
    }

    mutating func variable(_ name: String) {
        guard !Self.constants.contains(name), !Compiler.namespaces.contains(name) else { return }
        if seen.insert(name).inserted { variables.append(name) }
    }

    mutating func call(_ kind: ExpressionOutline.Call.Kind, _ name: String, builtin: Bool, at pos: Int32) {
        let (l, c, _) = unit.position(ofByte: Int(pos))
        calls.append(.init(kind: kind, name: name, isBuiltin: builtin, line: l, column: c))
    }

    mutating func visit(_ e: Expr) {
        switch e.kind {
        case .number, .string, .regex, .bool, .null, .undefined, .function: return
        case .identifier(let n): variable(n)
        case .array(let items): for x in items { visit(x) }
        case .object(let pairs): for p in pairs { visit(p.value) }
        case .member(let a, _): visit(a)
        case .index(let a, let b):
            visit(a)
            visit(b)
        case .call(let callee, let args):
            switch callee.kind {
            case .identifier(let name):
                let builtin = GlobalFunction(rawValue: name) != nil || hostFunctions.contains(name)
                call(.function, name, builtin: builtin, at: callee.start)
                if !builtin { variable(name) }
            case .member(let recv, let name):
                if case .identifier(let ns) = recv.kind, Compiler.namespaces.contains(ns) {
                    let full = ns + "." + name
                    call(.function, full, builtin: GlobalFunction(rawValue: full) != nil, at: recv.start)
                } else {
                    call(.method, name, builtin: Method(rawValue: name) != nil, at: callee.pos)
                    visit(recv)
                }
            default: visit(callee)
            }
            for a in args { visit(a) }
        case .unary(_, let a), .update(_, _, let a): visit(a)
        case .binary(_, let a, let b), .logical(_, let a, let b), .assign(_, _, let a, let b):
            visit(a)
            visit(b)
        case .conditional(let a, let b, let c):
            visit(a)
            visit(b)
            visit(c)
        case .comma(let items): for x in items { visit(x) }
        }
    }
}
