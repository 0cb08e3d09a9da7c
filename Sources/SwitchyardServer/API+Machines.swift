import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Switchyard

extension API {
    func addMachineRoutes(_ router: Router<Context>) {
        router.post("/v1/machines") { request, _ in try await deployMachine(request) }
        router.get("/v1/machines") { _, _ in listMachines() }
        router.get("/v1/machines/:name") { _, context in try machine(try context.path("name")) }
        router.get("/v1/machines/:name/graph") { request, context in
            try await graph(try context.path("name"), request)
        }
        router.post("/v1/rules/:name/decide") { request, context in
            try await decide(try context.path("name"), request)
        }
        router.get("/v1/rules") { _, _ in
            json(.object(JSObject([("ruleSets", .array(catalog.ruleSetNames().map { .string($0) }))])))
        }
    }

    /// `POST /v1/machines[?name=]`: the body is an SCXML document; it becomes a new version of
    /// the machine named by `?name=` or the document's `name` attribute.
    func deployMachine(_ request: Request) async throws -> Response {
        let buffer = try await body(request)
        let bytes = Array(buffer.readableBytesView)
        guard !bytes.isEmpty else { throw Problem.invalidBody("the body must be an SCXML document") }
        if let given = request.query("name") { try Self.checkName(given) }
        let file = (request.query("name") ?? "machine") + ".scxml"
        let definition: MachineDefinition
        do {
            definition = try MachineDefinition.load(bytes: bytes, file: file, ruleSets: catalog.ruleSets)
        } catch {
            let errors = error.errors
            let first = errors.first.map { $0.headline } ?? "the document does not compile"
            throw Problem.invalidMachine(
                errors.count == 1 ? first : "\(errors.count) errors; the first: \(first)",
                diagnostics: error.diagnostics.map(\.jsonValue))
        }
        guard let name = request.query("name") ?? definition.name else {
            throw Problem.unprocessable("name the machine: give ?name= or a name attribute on <scxml>")
        }
        try Self.checkName(name)
        let deployed: (version: Int, hash: String, created: Bool)
        do {
            deployed = try engine.deploy(definition, as: name)
        } catch {
            throw problem(error)
        }
        catalog.record(
            Catalog.Deployed(
                name: name, version: deployed.version, hash: deployed.hash, document: definition.document))
        logger.info("deployed machine \(name) version \(deployed.version)")
        var headers = HTTPFields()
        headers[.location] = "/v1/machines/\(name)"
        return json(
            .object(
                JSObject([
                    ("name", .string(name)), ("version", .number(Double(deployed.version))),
                    ("hash", .string(deployed.hash)), ("created", .bool(deployed.created)),
                    ("warnings", .array(definition.warnings.map(\.jsonValue))),
                ])), status: deployed.created ? .created : .ok, headers: headers)
    }

    static func checkName(_ name: String) throws {
        let ok =
            !name.isEmpty && name.count <= 128
            && name.unicodeScalars.allSatisfy {
                CharacterSet.alphanumerics.contains($0) || "_-.".unicodeScalars.contains($0)
            }
        guard ok else {
            throw Problem.unprocessable(
                "machine name '\(name)' must be 1 to 128 letters, digits, '_', '-' or '.'")
        }
    }

    func listMachines() -> Response {
        var byName: [String: [(Int, String)]] = [:]
        for v in engine.definitionVersions { byName[v.name, default: []].append((v.version, v.hash)) }
        let machines = byName.keys.sorted().map { name -> Value in
            let versions = byName[name] ?? []
            let latest = versions.max { $0.0 < $1.0 }
            return .object(
                JSObject([
                    ("name", .string(name)), ("latestVersion", .number(Double(latest?.0 ?? 0))),
                    ("hash", .string(latest?.1 ?? "")), ("versions", .number(Double(versions.count))),
                ]))
        }
        return json(.object(JSObject([("machines", .array(machines))])))
    }

    func machine(_ name: String) throws -> Response {
        let versions = engine.definitionVersions.filter { $0.name == name }.sorted { $0.version < $1.version }
        guard let latest = versions.last else { throw Problem.unknownMachine(name) }
        return json(
            .object(
                JSObject([
                    ("name", .string(name)), ("latestVersion", .number(Double(latest.version))),
                    (
                        "versions",
                        .array(
                            versions.map {
                                .object(
                                    JSObject([
                                        ("version", .number(Double($0.version))), ("hash", .string($0.hash)),
                                    ]))
                            })
                    ),
                ])))
    }

    /// `GET /v1/machines/{name}/graph?format=dot|mermaid|svg[&version=N]`.
    func graph(_ name: String, _ request: Request) async throws -> Response {
        let formatText = request.query("format") ?? "dot"
        guard let format = StatechartGraph.Format(rawValue: formatText) else {
            throw Problem.invalidParameter("format", "must be dot, mermaid or svg, got '\(formatText)'")
        }
        let versions = engine.definitionVersions.filter { $0.name == name }
        guard let latest = versions.max(by: { $0.version < $1.version }) else {
            throw Problem.unknownMachine(name)
        }
        let version = try request.integerQuery("version") ?? latest.version
        guard let chosen = versions.first(where: { $0.version == version }) else {
            throw Problem.notFound("machine '\(name)' has no version \(version)")
        }
        let document: SCXMLDocument
        if let deployed = catalog.deployed(name, version: version) {
            document = deployed.document
        } else if let stored = try? await store.definitions().first(where: { $0.hash == chosen.hash }),
            let d = try? JSONDecoder().decode(SCXMLDocument.self, from: Data(stored.document.utf8))
        {
            document = d
        } else {
            throw Problem.notFound("the document of machine '\(name)' version \(version) is not available")
        }
        var headers = HTTPFields()
        let text: String
        switch format {
        case .svg:
            do {
                text = try StatechartGraph(document).renderSVG()
            } catch {
                throw Problem.unprocessable("the diagram cannot be laid out: \(error)")
            }
            headers[.contentType] = "image/svg+xml; charset=utf-8"
        case .dot:
            text = StatechartGraph(document).render(format)
            headers[.contentType] = "text/vnd.graphviz; charset=utf-8"
        case .mermaid:
            text = StatechartGraph(document).render(format)
            headers[.contentType] = "text/plain; charset=utf-8"
        }
        return Response(
            status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// `POST /v1/rules/{name}/decide[?explain=true]`: the body is the document to route (a
    /// JSON object whose members are the rules' variables).
    func decide(_ name: String, _ request: Request) async throws -> Response {
        guard let ruleSet = catalog.ruleSet(named: name) else { throw Problem.unknownRuleSet(name) }
        let explain = try boolQuery(request, "explain") ?? false
        let buffer = try await body(request)
        let value: Value
        do {
            value = try Value.parseJSON(String(buffer: buffer))
        } catch {
            throw Problem.invalidBody("the body is not valid JSON: \(error)")
        }
        guard case .object = value else {
            throw Problem.invalidBody(
                "the body must be a JSON object (the document to route), not \(jsonKind(value))")
        }
        if explain {
            let explanation = ruleSet.explain(value)
            return json(explanation.decision.value(ruleSet: name, explanation: explanation.text))
        }
        return json(ruleSet.decide(value).value(ruleSet: name))
    }

    func boolQuery(_ request: Request, _ name: String) throws -> Bool? {
        guard let text = request.query(name) else { return nil }
        switch text {
        case "true", "1", "": return true
        case "false", "0": return false
        default: throw Problem.invalidParameter(name, "must be true or false, got '\(text)'")
        }
    }
}
