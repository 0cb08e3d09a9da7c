import ArgumentParser

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "(issue 3)")
    func run() throws { throw ExitCode(2) }
}
