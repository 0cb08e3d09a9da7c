/// Binary operators (arithmetic, relational, equality, bitwise, `in`, `instanceof`).
enum BinaryOp: String {
    case add = "+"
    case sub = "-"
    case mul = "*"
    case div = "/"
    case mod = "%"
    case pow = "**"
    case lt = "<"
    case le = "<="
    case gt = ">"
    case ge = ">="
    case eq = "=="
    case ne = "!="
    case seq = "==="
    case sne = "!=="
    case band = "&"
    case bor = "|"
    case bxor = "^"
    case shl = "<<"
    case shr = ">>"
    case ushr = ">>>"
    case `in` = "in"
    case instanceof = "instanceof"
}

/// Short-circuit operators.
enum LogicalOp: String {
    case and = "&&"
    case or = "||"
    case nullish = "??"
}

/// Prefix unary operators.
enum UnaryOp: String {
    case not = "!"
    case neg = "-"
    case plus = "+"
    case bnot = "~"
    case typeof = "typeof"
    case void = "void"
}

/// An expression node with its source range (UTF-8 byte offsets).
struct Expr {
    indirect enum Kind {
        case number(Double)
        case string(String)
        /// A regular expression literal, compiled by the parser; each evaluation yields a new
        /// value sharing it.
        case regex(RegexValue)
        case bool(Bool)
        case null
        case undefined
        case identifier(String)
        case array([Expr])
        case object([(key: String, value: Expr)])
        case member(Expr, String)
        case index(Expr, Expr)
        case call(Expr, [Expr])
        case unary(UnaryOp, Expr)
        case update(increment: Bool, prefix: Bool, Expr)
        case binary(BinaryOp, Expr, Expr)
        case logical(LogicalOp, Expr, Expr)
        case conditional(Expr, Expr, Expr)
        /// `op` is nil for plain `=`; a logical op for `&&=`, `||=`, `??=`.
        case assign(BinaryOp?, LogicalOp?, Expr, Expr)
        case comma([Expr])
        case function(FunctionDecl)
    }
    var kind: Kind
    var start: Int32
    var end: Int32
    /// Nesting depth of the tree below this node (1 for a leaf).
    var depth: Int32 = 1
    /// Where run-time errors of this node point: the operator, the property name, the
    /// opening bracket or parenthesis (-1: the start).
    var at: Int32 = -1
    /// Written in parentheses (needed to reject `a ?? b || c`, as JavaScript does).
    var parenthesized = false
    /// The position errors are reported at.
    var pos: Int32 { at >= 0 ? at : start }
}

/// A function literal or declaration.
final class FunctionDecl {
    let name: String?
    let params: [String]
    let body: [Stmt]
    let start: Int32
    let end: Int32
    /// True for `x => expr` bodies (the single statement is a `return`).
    init(name: String?, params: [String], body: [Stmt], start: Int32, end: Int32) {
        self.name = name
        self.params = params
        self.body = body
        self.start = start
        self.end = end
    }
}

/// Kinds of variable declaration.
enum DeclKind: String {
    case `var`, `let`, `const`
}

/// A statement node with its source start.
struct Stmt {
    indirect enum Kind {
        case expression(Expr)
        case declaration(DeclKind, [(name: String, start: Int32, value: Expr?)])
        case function(FunctionDecl)
        case `if`(Expr, Stmt, Stmt?)
        case `for`(Stmt?, Expr?, Expr?, Stmt)
        case forOf(DeclKind?, String, Int32, Expr, Stmt)
        case forIn(DeclKind?, String, Int32, Expr, Stmt)
        case `while`(Expr, Stmt)
        case doWhile(Stmt, Expr)
        case block([Stmt])
        case `break`
        case `continue`
        case `return`(Expr?)
        case empty
    }
    var kind: Kind
    var start: Int32
}
