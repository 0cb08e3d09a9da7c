import SwitchyardCore
import SwitchyardExpressions

/// Why an `<invoke type="scxml">` could not start its child (the `error.execution` message).
struct InvokeFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Which document an `<invoke type="scxml">` starts — inline, markup to parse, or `src` to load
/// relative to the invoking document — for the invoking definition with hash `parentHash`. The
/// key of the child-definition caches of the engine and of ``InstanceRunner``, and the one place
/// that turns an invoke request into a compiled child.
struct ChildDefinitionKey: Hashable {
    var parentHash: String
    var document: SCXMLDocument?
    var markup: String?
    var src: String?
    var baseDirectory: String?

    init(_ request: InvokeRequest, parentHash: String) throws(InvokeFailure) {
        self.parentHash = parentHash
        switch request.content {
        case .document(let doc)?: document = doc
        case .value(.string(let text))?: markup = text
        case .value?: throw InvokeFailure("<invoke> content is not an SCXML document")
        case nil:
            guard let src = request.src else {
                throw InvokeFailure("<invoke> has neither src nor an inline document")
            }
            self.src = src
            baseDirectory = request.baseDirectory
        }
    }

    /// Loads or parses the document and compiles it with the parent's rule-set routing and Swift
    /// bindings. `runner` names who lacks a loader or parser in the message.
    func compile(
        parent: RegisteredDefinition, loader: DocumentLoader?, parser: DocumentParser?, runner: String
    ) throws(InvokeFailure) -> MachineDefinition {
        let resolved: SCXMLDocument
        do {
            if let document {
                resolved = document
            } else if let markup {
                guard let parser else {
                    throw InvokeFailure("<invoke> content is markup and \(runner) has no documentParser")
                }
                resolved = try parser(markup)
            } else {
                let src = self.src ?? ""
                guard let loader else {
                    throw InvokeFailure("cannot load '\(src)': \(runner) has no documentLoader")
                }
                resolved = try loader(src, baseDirectory)
            }
        } catch let failure as InvokeFailure {
            throw failure
        } catch {
            throw InvokeFailure("cannot load invoked document: \(error)")
        }
        do {
            return try MachineDefinition.compile(
                resolved, routing: parent.machine.routing, bindings: parent.machine.bindings)
        } catch {
            throw InvokeFailure("cannot start invoked document: \(error)")
        }
    }
}
