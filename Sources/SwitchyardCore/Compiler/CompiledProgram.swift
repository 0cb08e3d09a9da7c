import SwitchyardExpressions

/// Code compiled for the data model, or the reason it could not be compiled (which becomes
/// `error.execution` when the code runs, SCXML 5.9 / B.2). When `failure` is set, `compiled` is
/// a placeholder that is never run; it is non-optional so the hot path calls it in place,
/// without copying it out of this box.
final class CompiledCode<Code: Sendable>: Sendable {
    let compiled: Code
    let failure: ExpressionError?
    let source: ExpressionSource
    init(_ compiled: Code, failure: ExpressionError?, source: ExpressionSource) {
        self.compiled = compiled
        self.failure = failure
        self.source = source
    }
}

/// An expression (`cond`, `expr`, ...).
typealias CompiledExpr = CompiledCode<CompiledExpression>
/// An assignable location (`<assign location>`, `idlocation`, `<foreach item>`).
typealias CompiledLoc = CompiledCode<CompiledLocation>
/// A `<script>` body.
typealias CompiledBody = CompiledCode<CompiledScript>

/// A block of executable content in document order (one `<onentry>`, a transition's content, ...).
typealias Block = [Op]

/// One compiled element of executable content.
indirect enum Op: Sendable {
    case raise(String)
    case send(CompiledSend)
    case cancel(id: String?, idExpr: CompiledExpr?)
    case log(label: String?, expr: CompiledExpr?)
    case assign(location: CompiledLoc, value: ValueSource, at: SourceLocation)
    /// `<assign>` to a plain data model variable known at load time: a direct slot store.
    case assignSlot(Int, value: ValueSource)
    case script(CompiledBody)
    case branches([(cond: CompiledExpr?, block: Block)])
    case foreach(
        array: CompiledExpr, item: CompiledLoc, index: CompiledLoc?, block: Block, at: SourceLocation)
    case custom(CompiledCustomAction)
}

/// A custom action: an element in Switchyard's namespace (run by the ``CustomActionHandler``)
/// or in a foreign one (ignored).
struct CompiledCustomAction: Sendable {
    var name: String
    var params: [CompiledParam]
    var element: ForeignElement
    var isSwitchyard: Bool
    /// Set for `<sy:route>`: the interpreter runs it itself, without the handler.
    var route: CompiledRoute? = nil
}

/// Where a value comes from: an expression, or inline content.
enum ValueSource: Sendable {
    case expr(CompiledExpr)
    case literal(Value)
    case none
}

/// `<param>` or a `namelist` entry.
struct CompiledParam: Sendable {
    var name: String
    var value: CompiledExpr
}

/// `<send>`.
struct CompiledSend: Sendable {
    var event: String?
    var eventExpr: CompiledExpr?
    var target: String?
    var targetExpr: CompiledExpr?
    var type: String?
    var typeExpr: CompiledExpr?
    var id: String?
    var idLocation: CompiledLoc?
    var delay: Duration?
    var delayExpr: CompiledExpr?
    var params: [CompiledParam]
    var content: ValueSource
    var location: SourceLocation
}

/// `<donedata>`.
struct CompiledDoneData: Sendable {
    var params: [CompiledParam]
    var content: ValueSource
}

/// `<data>`.
struct CompiledData: Sendable {
    var slot: Int
    var id: String
    var value: ValueSource
    /// Set when `src` could not be read: evaluating the declaration raises error.execution.
    var unreadableSource: String?
    var location: SourceLocation
}

/// `<invoke>`.
struct CompiledInvoke: Sendable {
    var type: String?
    var typeExpr: CompiledExpr?
    var src: String?
    var srcExpr: CompiledExpr?
    var id: String?
    var idLocation: CompiledLoc?
    var params: [CompiledParam]
    var autoforward: Bool
    var finalize: Block
    var contentDocument: SCXMLDocument?
    var content: ValueSource
    var location: SourceLocation
}

/// Placeholders standing in for code that failed to compile (never run: `failure` is checked
/// first).
enum Placeholder {
    static let expression: CompiledExpression = {
        // "undefined" always compiles.
        (try? CompiledExpression.compile("undefined", symbols: SymbolTable())) ?? fatalUnreachable()
    }()
    static let location: CompiledLocation = {
        var symbols = SymbolTable()
        symbols.declare("_placeholder")
        return (try? CompiledLocation.compile("_placeholder", symbols: symbols)) ?? fatalUnreachable()
    }()
    static let script: CompiledScript = {
        var symbols = SymbolTable()
        return (try? CompiledScript.compile("", symbols: &symbols)) ?? fatalUnreachable()
    }()
}

private func fatalUnreachable<T>() -> T {
    preconditionFailure("a constant placeholder expression failed to compile")
}
