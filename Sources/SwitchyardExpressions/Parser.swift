/// A Pratt parser for the expression language. Every node keeps its source range; nesting is
/// bounded by ``Limits/maxDepth`` both for parser recursion and for the depth of the tree.
struct Parser {
    var lexer: Lexer
    var tok: Token
    var prevEnd: Int32 = 0
    let maxDepth: Int
    var depth = 0
    var functionDepth = 0
    var loopDepth = 0

    init(_ source: SourceText, maxDepth: Int) throws(ExpressionError) {
        lexer = Lexer(source.bytes)
        self.maxDepth = maxDepth
        tok = Token(kind: .eof, start: 0, end: 0, newlineBefore: false)
        tok = try lexer.next()
    }

    // MARK: helpers

    func error(_ message: String, _ at: Int32? = nil) -> ExpressionError {
        ExpressionError(.syntax, message, at: at ?? tok.start)
    }

    mutating func advance() throws(ExpressionError) {
        prevEnd = tok.end
        tok = try lexer.next()
    }

    func isPunct(_ p: Punct) -> Bool {
        if case .punct(let q) = tok.kind { return p == q }
        return false
    }

    func isKeyword(_ k: String) -> Bool {
        if case .identifier(let s) = tok.kind { return s == k }
        return false
    }

    mutating func eat(_ p: Punct) throws(ExpressionError) -> Bool {
        if isPunct(p) {
            try advance()
            return true
        }
        return false
    }

    mutating func expect(_ p: Punct) throws(ExpressionError) {
        guard isPunct(p) else { throw error("expected '\(p.rawValue)' but found \(describe(tok))") }
        try advance()
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .eof: return "end of input"
        case .number: return "number"
        case .string: return "string"
        case .regex: return "regular expression"
        case .identifier(let s): return "'\(s)'"
        case .punct(let p): return "'\(p.rawValue)'"
        }
    }

    mutating func enter() throws(ExpressionError) {
        depth += 1
        if depth > maxDepth {
            throw ExpressionError(.limit, "nesting deeper than the limit of \(maxDepth)", at: tok.start)
        }
    }

    func node(_ kind: Expr.Kind, _ start: Int32, _ children: Expr..., at: Int32 = -1) throws(ExpressionError)
        -> Expr
    {
        var d: Int32 = 0
        for c in children { d = max(d, c.depth) }
        if Int(d) + 1 > maxDepth {
            throw ExpressionError(.limit, "expression nested deeper than the limit of \(maxDepth)", at: start)
        }
        return Expr(kind: kind, start: start, end: prevEnd, depth: d + 1, at: at)
    }

    static let reserved: Set<String> = [
        "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do",
        "else", "export", "extends", "finally", "for", "if", "import", "let", "new", "return", "super",
        "switch", "this", "throw", "try", "var", "while", "with", "yield", "await", "enum", "static",
        "in", "instanceof", "typeof", "void", "function", "true", "false", "null",
    ]

    // MARK: expressions

    /// Expression := Assignment (',' Assignment)*
    mutating func parseExpression() throws(ExpressionError) -> Expr {
        let start = tok.start
        let first = try parseAssignment()
        guard isPunct(.comma) else { return first }
        var items = [first]
        var d = first.depth
        while try eat(.comma) {
            let e = try parseAssignment()
            d = max(d, e.depth)
            items.append(e)
        }
        return Expr(kind: .comma(items), start: start, end: prevEnd, depth: d + 1)
    }

    mutating func parseAssignment() throws(ExpressionError) -> Expr {
        try enter()
        defer { depth -= 1 }
        let start = tok.start
        let lhs = try parseConditional()
        guard case .punct(let p) = tok.kind else { return lhs }
        var op: BinaryOp? = nil
        var lop: LogicalOp? = nil
        switch p {
        case .assign: break
        case .plusAssign: op = .add
        case .minusAssign: op = .sub
        case .starAssign: op = .mul
        case .slashAssign: op = .div
        case .percentAssign: op = .mod
        case .starstarAssign: op = .pow
        case .shlAssign: op = .shl
        case .shrAssign: op = .shr
        case .ushrAssign: op = .ushr
        case .ampAssign: op = .band
        case .pipeAssign: op = .bor
        case .caretAssign: op = .bxor
        case .andAssign: lop = .and
        case .orAssign: lop = .or
        case .nullishAssign: lop = .nullish
        case .arrow: throw error("arrow functions are not supported; use function (...) { ... }")
        default: return lhs
        }
        let opPos = tok.start
        switch lhs.kind {
        case .identifier, .member, .index: break
        default: throw error("invalid assignment target", opPos)
        }
        try advance()
        let rhs = try parseAssignment()
        return try node(.assign(op, lop, lhs, rhs), start, lhs, rhs, at: opPos)
    }

    mutating func parseConditional() throws(ExpressionError) -> Expr {
        let start = tok.start
        let c = try parseBinary(0)
        guard isPunct(.question) else { return c }
        try advance()
        let a = try parseAssignment()
        try expect(.colon)
        let b = try parseAssignment()
        return try node(.conditional(c, a, b), start, c, a, b)
    }

    /// Binding power of the current token as a binary operator (0 when it is not one).
    func binaryPower() -> (Int, BinaryOp?, LogicalOp?) {
        switch tok.kind {
        case .punct(let p):
            switch p {
            case .nullish: return (1, nil, .nullish)
            case .or: return (2, nil, .or)
            case .and: return (3, nil, .and)
            case .pipe: return (4, .bor, nil)
            case .caret: return (5, .bxor, nil)
            case .amp: return (6, .band, nil)
            case .eq: return (7, .eq, nil)
            case .ne: return (7, .ne, nil)
            case .seq: return (7, .seq, nil)
            case .sne: return (7, .sne, nil)
            case .lt: return (8, .lt, nil)
            case .gt: return (8, .gt, nil)
            case .le: return (8, .le, nil)
            case .ge: return (8, .ge, nil)
            case .shl: return (9, .shl, nil)
            case .shr: return (9, .shr, nil)
            case .ushr: return (9, .ushr, nil)
            case .plus: return (10, .add, nil)
            case .minus: return (10, .sub, nil)
            case .star: return (11, .mul, nil)
            case .slash: return (11, .div, nil)
            case .percent: return (11, .mod, nil)
            case .starstar: return (12, .pow, nil)
            default: return (0, nil, nil)
            }
        case .identifier(let s):
            if s == "in" { return (8, .in, nil) }
            if s == "instanceof" { return (8, .instanceof, nil) }
            return (0, nil, nil)
        default: return (0, nil, nil)
        }
    }

    mutating func parseBinary(_ minPower: Int) throws(ExpressionError) -> Expr {
        let start = tok.start
        var lhs = try parseUnary()
        while true {
            let (power, op, lop) = binaryPower()
            if power == 0 || power <= minPower { break }
            let opPos = tok.start
            if op == .pow, case .unary = lhs.kind, lhs.start == start {
                throw error("unary operator before '**' needs parentheses", opPos)
            }
            try advance()
            // `**` is right-associative.
            let rhs = try parseBinary(op == .pow ? power - 1 : power)
            if let op {
                lhs = try node(.binary(op, lhs, rhs), start, lhs, rhs, at: opPos)
            } else {
                let mixing: (Expr) -> Bool = { e in
                    guard !e.parenthesized, case .logical(let inner, _, _) = e.kind else { return false }
                    return (inner == .nullish) != (lop! == .nullish)
                }
                if mixing(lhs) || mixing(rhs) {
                    throw error("'??' cannot be mixed with '&&' or '||' without parentheses", opPos)
                }
                lhs = try node(.logical(lop!, lhs, rhs), start, lhs, rhs)
            }
        }
        return lhs
    }

    mutating func parseUnary() throws(ExpressionError) -> Expr {
        try enter()
        defer { depth -= 1 }
        let start = tok.start
        var op: UnaryOp? = nil
        switch tok.kind {
        case .punct(.bang): op = .not
        case .punct(.minus): op = .neg
        case .punct(.plus): op = .plus
        case .punct(.tilde): op = .bnot
        case .identifier("typeof"): op = .typeof
        case .identifier("void"): op = .void
        case .identifier("delete"): throw error("'delete' is not supported")
        case .punct(.inc), .punct(.dec):
            let inc = isPunct(.inc)
            try advance()
            let target = try parseUnary()
            try checkTarget(target)
            return try node(.update(increment: inc, prefix: true, target), start, target)
        default: break
        }
        if let op {
            try advance()
            let operand = try parseUnary()
            return try node(.unary(op, operand), start, operand)
        }
        let e = try parsePostfix()
        if (isPunct(.inc) || isPunct(.dec)) && !tok.newlineBefore {
            try checkTarget(e)
            let inc = isPunct(.inc)
            try advance()
            return try node(.update(increment: inc, prefix: false, e), start, e)
        }
        return e
    }

    func checkTarget(_ e: Expr) throws(ExpressionError) {
        switch e.kind {
        case .identifier, .member, .index: return
        default: throw error("invalid increment/decrement operand", e.start)
        }
    }

    mutating func parsePostfix() throws(ExpressionError) -> Expr {
        let start = tok.start
        var e = try parsePrimary()
        while true {
            if isPunct(.dot) {
                try advance()
                guard case .identifier(let name) = tok.kind else {
                    throw error("expected property name after '.'")
                }
                let namePos = tok.start
                try advance()
                e = try node(.member(e, name), start, e, at: namePos)
            } else if isPunct(.optionalDot) {
                throw error("optional chaining '?.' is not supported")
            } else if isPunct(.lbracket) {
                let bracketPos = tok.start
                try advance()
                try enter()
                let i = try parseExpression()
                depth -= 1
                try expect(.rbracket)
                e = try node(.index(e, i), start, e, i, at: bracketPos)
            } else if isPunct(.lparen) {
                let parenPos = tok.start
                try advance()
                var args: [Expr] = []
                var d = e.depth
                if !isPunct(.rparen) {
                    repeat {
                        if isPunct(.rparen) { break }
                        let a = try parseAssignment()
                        d = max(d, a.depth)
                        args.append(a)
                    } while try eat(.comma)
                }
                try expect(.rparen)
                if Int(d) + 1 > maxDepth {
                    throw ExpressionError(
                        .limit, "expression nested deeper than the limit of \(maxDepth)", at: start)
                }
                e = Expr(kind: .call(e, args), start: start, end: prevEnd, depth: d + 1, at: parenPos)
            } else {
                return e
            }
        }
    }

    mutating func parsePrimary() throws(ExpressionError) -> Expr {
        let start = tok.start
        switch tok.kind {
        case .number(let d):
            try advance()
            return Expr(kind: .number(d), start: start, end: prevEnd)
        case .string(let s):
            try advance()
            return Expr(kind: .string(s), start: start, end: prevEnd)
        case .regex(let pattern, let flags):
            // The pattern is compiled here, so a bad one is a syntax error at its place.
            let re: RegexValue
            do throws(RegexSyntaxError) {
                re = try RegexValue(compiling: pattern, flags: flags, maxDepth: maxDepth)
            } catch {
                throw ExpressionError(.syntax, error.message, at: start + 1 + Int32(error.offset))
            }
            try advance()
            return Expr(kind: .regex(re), start: start, end: prevEnd)
        case .identifier(let name):
            switch name {
            case "true", "false":
                try advance()
                return Expr(kind: .bool(name == "true"), start: start, end: prevEnd)
            case "null":
                try advance()
                return Expr(kind: .null, start: start, end: prevEnd)
            case "function":
                let f = try parseFunction(declaration: false)
                return Expr(kind: .function(f), start: start, end: prevEnd)
            case "new": throw error("'new' is not supported")
            case "this": throw error("'this' is not supported")
            case "class": throw error("classes are not supported")
            default:
                if Parser.reserved.contains(name) {
                    throw error("unexpected keyword '\(name)'")
                }
                try advance()
                return Expr(kind: .identifier(name), start: start, end: prevEnd)
            }
        case .punct(.lparen):
            try advance()
            try enter()
            var e = try parseExpression()
            depth -= 1
            try expect(.rparen)
            e.parenthesized = true
            return e
        case .punct(.lbracket):
            try advance()
            var items: [Expr] = []
            var d: Int32 = 0
            while !isPunct(.rbracket) {
                if isPunct(.comma) { throw error("array holes are not supported") }
                let e = try parseAssignment()
                d = max(d, e.depth)
                items.append(e)
                if !isPunct(.rbracket) { try expect(.comma) }
            }
            try advance()
            if Int(d) + 1 > maxDepth {
                throw ExpressionError(
                    .limit, "expression nested deeper than the limit of \(maxDepth)", at: start)
            }
            return Expr(kind: .array(items), start: start, end: prevEnd, depth: d + 1)
        case .punct(.lbrace):
            try advance()
            var props: [(key: String, value: Expr)] = []
            var d: Int32 = 0
            while !isPunct(.rbrace) {
                let key: String
                let keyStart = tok.start
                var shorthand = false
                switch tok.kind {
                case .identifier(let s):
                    key = s
                    shorthand = !Parser.reserved.contains(s)
                case .string(let s): key = s
                case .number(let n): key = JSNumber.toString(n)
                default: throw error("expected property name")
                }
                try advance()
                let value: Expr
                if shorthand && (isPunct(.comma) || isPunct(.rbrace)) {
                    value = Expr(kind: .identifier(key), start: keyStart, end: prevEnd)
                } else {
                    if isPunct(.lparen) { throw error("method definitions are not supported") }
                    try expect(.colon)
                    value = try parseAssignment()
                }
                d = max(d, value.depth)
                props.append((key, value))
                if !isPunct(.rbrace) { try expect(.comma) }
            }
            try advance()
            if Int(d) + 1 > maxDepth {
                throw ExpressionError(
                    .limit, "expression nested deeper than the limit of \(maxDepth)", at: start)
            }
            return Expr(kind: .object(props), start: start, end: prevEnd, depth: d + 1)
        case .eof:
            throw error("unexpected end of input")
        case .punct(let p):
            throw error("unexpected '\(p.rawValue)'")
        }
    }

    mutating func parseFunction(declaration: Bool) throws(ExpressionError) -> FunctionDecl {
        let start = tok.start
        try advance()  // `function`
        var name: String? = nil
        if case .identifier(let n) = tok.kind {
            if Parser.reserved.contains(n) { throw error("unexpected keyword '\(n)'") }
            name = n
            try advance()
        } else if declaration {
            throw error("expected function name")
        }
        try expect(.lparen)
        var params: [String] = []
        while !isPunct(.rparen) {
            guard case .identifier(let p) = tok.kind, !Parser.reserved.contains(p) else {
                throw error("expected parameter name")
            }
            if params.contains(p) { throw error("duplicate parameter name '\(p)'") }
            params.append(p)
            try advance()
            if !isPunct(.rparen) { try expect(.comma) }
        }
        try advance()
        guard isPunct(.lbrace) else { throw error("expected '{' to begin the function body") }
        try advance()
        let savedLoop = loopDepth
        loopDepth = 0
        functionDepth += 1
        var body: [Stmt] = []
        while !isPunct(.rbrace) {
            if case .eof = tok.kind { throw error("expected '}' to close the function body") }
            body.append(try parseStatement())
        }
        try advance()
        functionDepth -= 1
        loopDepth = savedLoop
        return FunctionDecl(name: name, params: params, body: body, start: start, end: prevEnd)
    }

    // MARK: statements

    mutating func consumeSemicolon() throws(ExpressionError) {
        if try eat(.semicolon) { return }
        if isPunct(.rbrace) || tok.newlineBefore { return }
        if case .eof = tok.kind { return }
        throw error("expected ';' but found \(describe(tok))")
    }

    mutating func parseStatement() throws(ExpressionError) -> Stmt {
        try enter()
        defer { depth -= 1 }
        let start = tok.start
        switch tok.kind {
        case .punct(.lbrace):
            try advance()
            var body: [Stmt] = []
            while !isPunct(.rbrace) {
                if case .eof = tok.kind { throw error("expected '}'") }
                body.append(try parseStatement())
            }
            try advance()
            return Stmt(kind: .block(body), start: start)
        case .punct(.semicolon):
            try advance()
            return Stmt(kind: .empty, start: start)
        case .identifier(let kw):
            switch kw {
            case "var", "let", "const":
                let s = try parseDeclaration(DeclKind(rawValue: kw)!, requireInit: true)
                try consumeSemicolon()
                return s
            case "function":
                let f = try parseFunction(declaration: true)
                return Stmt(kind: .function(f), start: start)
            case "if":
                try advance()
                try expect(.lparen)
                let c = try parseExpression()
                try expect(.rparen)
                let then = try parseStatement()
                var els: Stmt? = nil
                if isKeyword("else") {
                    try advance()
                    els = try parseStatement()
                }
                return Stmt(kind: .if(c, then, els), start: start)
            case "while":
                try advance()
                try expect(.lparen)
                let c = try parseExpression()
                try expect(.rparen)
                loopDepth += 1
                let body = try parseStatement()
                loopDepth -= 1
                return Stmt(kind: .while(c, body), start: start)
            case "do":
                try advance()
                loopDepth += 1
                let body = try parseStatement()
                loopDepth -= 1
                guard isKeyword("while") else { throw error("expected 'while'") }
                try advance()
                try expect(.lparen)
                let c = try parseExpression()
                try expect(.rparen)
                _ = try eat(.semicolon)
                return Stmt(kind: .doWhile(body, c), start: start)
            case "for":
                return try parseFor()
            case "break", "continue":
                guard loopDepth > 0 else { throw error("'\(kw)' outside a loop") }
                try advance()
                if case .identifier = tok.kind, !tok.newlineBefore { throw error("labels are not supported") }
                try consumeSemicolon()
                return Stmt(kind: kw == "break" ? .break : .continue, start: start)
            case "return":
                guard functionDepth > 0 else { throw error("'return' outside a function") }
                try advance()
                var value: Expr? = nil
                if !(isPunct(.semicolon) || isPunct(.rbrace) || tok.newlineBefore || tok.kind == .eof) {
                    value = try parseExpression()
                }
                try consumeSemicolon()
                return Stmt(kind: .return(value), start: start)
            case "switch", "try", "throw", "class", "with", "import", "export", "debugger":
                throw error("'\(kw)' statements are not supported")
            default: break
            }
        default: break
        }
        let e = try parseExpression()
        try consumeSemicolon()
        return Stmt(kind: .expression(e), start: start)
    }

    mutating func parseDeclaration(_ kind: DeclKind, requireInit: Bool) throws(ExpressionError) -> Stmt {
        let start = tok.start
        try advance()
        var decls: [(name: String, start: Int32, value: Expr?)] = []
        repeat {
            guard case .identifier(let name) = tok.kind, !Parser.reserved.contains(name) else {
                throw error("expected variable name")
            }
            let nameStart = tok.start
            try advance()
            var value: Expr? = nil
            if try eat(.assign) {
                value = try parseAssignment()
            } else if kind == .const && requireInit {
                throw error("missing initializer in const declaration")
            }
            decls.append((name, nameStart, value))
        } while try eat(.comma)
        return Stmt(kind: .declaration(kind, decls), start: start)
    }

    mutating func parseFor() throws(ExpressionError) -> Stmt {
        let start = tok.start
        try advance()
        try expect(.lparen)
        var initStmt: Stmt? = nil
        var declKind: DeclKind? = nil
        if case .identifier(let kw) = tok.kind, kw == "var" || kw == "let" || kw == "const" {
            declKind = DeclKind(rawValue: kw)!
            // for (let x of / in ...)
            let save = (lexer, tok, prevEnd)
            try advance()
            if case .identifier(let name) = tok.kind, !Parser.reserved.contains(name) {
                let nameStart = tok.start
                try advance()
                if isKeyword("of") || isKeyword("in") {
                    return try parseForOfIn(declKind, name, nameStart, start)
                }
            }
            (lexer, tok, prevEnd) = save
            initStmt = try parseDeclaration(declKind!, requireInit: false)
        } else if !isPunct(.semicolon) {
            if case .identifier(let name) = tok.kind, !Parser.reserved.contains(name) {
                let save = (lexer, tok, prevEnd)
                let nameStart = tok.start
                try advance()
                if isKeyword("of") || isKeyword("in") {
                    return try parseForOfIn(nil, name, nameStart, start)
                }
                (lexer, tok, prevEnd) = save
            }
            let s = tok.start
            initStmt = Stmt(kind: .expression(try parseExpression()), start: s)
        }
        try expect(.semicolon)
        let test = isPunct(.semicolon) ? nil : try parseExpression()
        try expect(.semicolon)
        let update = isPunct(.rparen) ? nil : try parseExpression()
        try expect(.rparen)
        loopDepth += 1
        let body = try parseStatement()
        loopDepth -= 1
        return Stmt(kind: .for(initStmt, test, update, body), start: start)
    }

    mutating func parseForOfIn(_ kind: DeclKind?, _ name: String, _ nameStart: Int32, _ start: Int32)
        throws(ExpressionError) -> Stmt
    {
        let isOf = isKeyword("of")
        try advance()
        let seq = isOf ? try parseAssignment() : try parseExpression()
        try expect(.rparen)
        loopDepth += 1
        let body = try parseStatement()
        loopDepth -= 1
        return Stmt(
            kind: isOf ? .forOf(kind, name, nameStart, seq, body) : .forIn(kind, name, nameStart, seq, body),
            start: start)
    }

    /// Parses a whole expression and requires the end of input.
    mutating func parseWholeExpression() throws(ExpressionError) -> Expr {
        if case .eof = tok.kind { throw error("empty expression") }
        let e = try parseExpression()
        guard case .eof = tok.kind else { throw error("unexpected \(describe(tok)) after expression") }
        return e
    }

    /// Parses a script body.
    mutating func parseScript() throws(ExpressionError) -> [Stmt] {
        var out: [Stmt] = []
        while true {
            if case .eof = tok.kind { return out }
            out.append(try parseStatement())
        }
    }
}
