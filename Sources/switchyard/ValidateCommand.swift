import ArgumentParser

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "validate", abstract: "(issue 2)")
    func run() throws { throw ExitCode(2) }
}
