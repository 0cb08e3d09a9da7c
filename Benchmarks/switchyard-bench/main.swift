// switchyard-bench: release-mode workloads. Each workload prints one final line
// `<workload> rate=<units per second> ...` so figures can be compared from outside.
// Usage: swift run -c release switchyard-bench <workload> [options]
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
guard let workload = arguments.first else {
    FileHandle.standardError.write(
        Data("usage: switchyard-bench <\(Workloads.names.joined(separator: "|"))> [options]\n".utf8))
    exit(2)
}
guard let run = Workloads.all[workload] else {
    FileHandle.standardError.write(Data("switchyard-bench: unknown workload '\(workload)'\n".utf8))
    exit(2)
}
do {
    try run(Array(arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("switchyard-bench \(workload): \(error)\n".utf8))
    exit(1)
}
