import ArgumentParser

/// The `switchyard` command-line tool. Each subcommand lives in its own file.
@main
struct SwitchyardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard",
        abstract: "Statechart workflows: validate, run and inspect SCXML machines.",
        subcommands: [
            ValidateCommand.self, RunCommand.self, ConformanceCommand.self, EvalCommand.self,
            RouteCommand.self, GraphCommand.self, StartCommand.self, SendCommand.self, InstancesCommand.self,
            ServeCommand.self,
        ]
    )
}
