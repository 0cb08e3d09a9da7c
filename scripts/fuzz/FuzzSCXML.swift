// libFuzzer entry for the SCXML loader: any byte string must load or produce diagnostics,
// never crash, hang or leak. Built by `scripts/fuzz.sh scxml`.
import SwitchyardCore
import SwitchyardSCXML

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSCXMLLoader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Resources resolve against a directory that holds nothing readable by accident.
    let loader = SCXMLLoader(options: LoaderOptions(maxResourceBytes: 4096, baseDirectory: "/nonexistent"))
    do {
        let loaded = try loader.load(bytes: bytes, file: "fuzz.scxml")
        _ = loaded.warnings.map(\.rendered)
    } catch {
        // Every diagnostic must render (exercises snippet and caret code).
        _ = error.diagnostics.map(\.rendered)
    }
    return 0
}
