import Foundation
public import Switchyard

/// A machine from a snippet of states: wrapped in an `<scxml>` root (ECMAScript data model, the
/// Switchyard namespace bound to `sy:`), with `data` as its `<datamodel>` content, loaded and
/// compiled like a file.
public func machine(
    _ body: String, initial: String, data: String = "", name: String? = nil
) throws -> MachineDefinition {
    let nameAttribute = name.map { #" name="\#($0)""# } ?? ""
    let xml = """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" xmlns:sy="urn:switchyard:scxml:1" version="1.0"
               datamodel="ecmascript" initial="\(initial)"\(nameAttribute)>
          <datamodel>\(data)</datamodel>
          \(body)
        </scxml>
        """
    return try MachineDefinition.load(bytes: Array(xml.utf8))
}

/// An object value from pairs, in order.
public func object(_ pairs: [(String, Value)]) -> Value { .object(JSObject(pairs)) }

/// A new, empty temporary directory named after the calling test.
public func temporaryDirectory(_ name: String = #function) -> String {
    let base = FileManager.default.temporaryDirectory.path
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let dir = "\(base)/switchyard-test-\(safe)-\(UUID().uuidString.prefix(8))"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// Reads a whole UTF-8 text file.
public func readText(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
}

/// Writes a whole text file (UTF-8).
public func writeText(_ path: String, _ text: String) throws {
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}
