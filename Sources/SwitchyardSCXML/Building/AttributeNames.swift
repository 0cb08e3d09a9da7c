/// The unqualified attributes each SCXML element allows (SCXML 3-6 attribute tables), built
/// once because the checks run for every element.
enum AttributeNames {
    static let state = ["id", "initial"]
    static let history = ["id", "type"]
    static let id = ["id"]
    static let foreach: [String] = ["array", "item", "index"]
    static let cond: [String] = ["cond"]
    static let raise: [String] = ["event"]
    static let transition: [String] = ["event", "cond", "target", "type"]
    static let send: [String] = [
        "event", "eventexpr", "target", "targetexpr", "type", "typeexpr", "id", "idlocation", "delay",
        "delayexpr", "namelist",
    ]
    static let content: [String] = ["expr"]
    static let data: [String] = ["id", "src", "expr"]
    static let scxml: [String] = ["initial", "name", "version", "datamodel", "binding"]
    static let log: [String] = ["label", "expr"]
    static let assign: [String] = ["location", "expr"]
    static let param: [String] = ["name", "expr", "location"]
    static let none: [String] = []
    static let cancel: [String] = ["sendid", "sendidexpr"]
    static let script: [String] = ["src"]
    static let invoke: [String] = [
        "type", "typeexpr", "src", "srcexpr", "id", "idlocation", "namelist", "autoforward",
    ]
}

/// The SCXML children each state element allows (SCXML 3.3, 3.4, 3.7, 3.10).
enum ChildNames {
    static let state = [
        "onentry", "onexit", "transition", "initial", "state", "parallel", "final", "history", "datamodel",
        "invoke",
    ]
    static let parallel = [
        "onentry", "onexit", "transition", "state", "parallel", "history", "datamodel", "invoke",
    ]
    static let final = ["onentry", "onexit", "donedata"]
    static let history = ["transition"]
}
