import SwitchyardExpressions

extension Interpreter {
    /// One line of the `--trace json` format: the event (nil after start), every active state
    /// in document order, and the data model (system variables excluded; members whose value
    /// is undefined are left out, as `JSON.stringify` does).
    ///
    /// `{"event":"submit","configuration":["review","waiting"],"data":{"amount":5}}`
    public func traceLine(after event: Event?) -> String {
        var data = JSObject()
        for item in dataModel { data[item.name] = item.value }
        let eventJSON = event.map { Value.string($0.name).jsonString() ?? "null" } ?? "null"
        let configuration = Value.array(configurationIDs.map { .string($0) }).jsonString() ?? "[]"
        let dataJSON = Value.object(data).jsonString() ?? "{}"
        return "{\"event\":\(eventJSON),\"configuration\":\(configuration),\"data\":\(dataJSON)}"
    }
}
