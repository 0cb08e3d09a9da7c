import ArgumentParser
import Foundation
import Logging
import SwitchyardServer

/// `switchyard serve`: the durable engine as an HTTP service.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the engine over HTTP (JSON API, event streams, Prometheus metrics).",
        discussion: """
            Opens (or creates) the SQLite database, deploys every *.scxml machine and *.rules.xml \
            rule set in the machines folder, recovers running instances and their timers, and \
            listens until SIGTERM or SIGINT (then it stops accepting, finishes in-flight requests \
            and flushes the journal). Without --tokens it uses DB.tokens.json, creating it with a \
            new admin token on the first start (printed once). The API is described at \
            /openapi.yaml.

            Every instance has a W3C Basic HTTP Event I/O Processor location \
            (_ioprocessors.basichttp.location): <URL>/v1/basichttp/<id>?key=<key>, where the key \
            is derived from a secret kept in DB.basichttp.key, so the URL itself authorises a \
            POST of an event to that one instance. --public-url sets the base other systems \
            reach the server at (behind a proxy); the default is the listening URL.
            """
    )

    @Option(name: .long, help: "The interface to listen on (anything but loopback needs --tokens).")
    var host = "127.0.0.1"

    @Option(name: .long, help: "The port (0 picks a free one).")
    var port = 8080

    @Option(name: .long, help: "The SQLite database of instances and definitions.")
    var db = "switchyard.sqlite"

    @Option(name: .long, help: "The folder of machines and rule sets to deploy at start.")
    var machines = "machines"

    @Option(name: .long, help: "A JSON tokens file: {\"tokens\": [{\"name\", \"scope\", \"token\"}]}.")
    var tokens: String?

    @Option(name: .long, help: "An origin allowed to call the API from a browser (repeatable, or '*').")
    var cors: [String] = []

    @Option(name: .customLong("max-body"), help: "The largest request body accepted, in bytes.")
    var maxBody = 1 << 20

    @Option(
        name: .customLong("public-url"),
        help:
            "The URL other systems reach this server at, for Basic HTTP locations (default: the listening URL)."
    )
    var publicURL: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard maxBody > 0 else { throw ValidationError("--max-body must be positive") }
        if let url = publicURL, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw ValidationError("--public-url must be an http:// or https:// URL")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError(
                "--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let configuration = ServerConfiguration(
            host: host, port: port, databasePath: db, machinesDirectory: machines, tokensFile: tokens,
            corsOrigins: cors, maxBodyBytes: maxBody, logLevel: level, publicURL: publicURL)
        let server: SwitchyardServer
        do {
            server = try SwitchyardServer(configuration: configuration)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        let deployed = server.deployedAtStart.map { "deployed \($0)\n" }.joined()
        FileHandle.standardOutput.write(Data(deployed.utf8))
        let generated = server.generatedToken
        let tokensFile = server.tokensFile
        try await server.run { url in
            var lines = ["Switchyard listening on \(url)  (API description: \(url)/openapi.yaml)"]
            if let generated {
                lines.append("admin token (saved in \(tokensFile), shown only now): \(generated)")
                lines.append("try: curl -H 'Authorization: Bearer \(generated)' \(url)/v1/machines")
            } else {
                lines.append("tokens: \(tokensFile)")
            }
            // Unbuffered: a supervisor (or test) reading the pipe sees the URL at once.
            FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        }
        FileHandle.standardOutput.write(Data("Switchyard stopped\n".utf8))
    }
}
