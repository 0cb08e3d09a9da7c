// The umbrella module: `import Switchyard` brings in the whole public API.
@_exported public import SwitchyardCore
@_exported public import SwitchyardDSL
@_exported public import SwitchyardExpressions
@_exported public import SwitchyardRules
@_exported public import SwitchyardRuntime
@_exported public import SwitchyardSCXML
@_exported public import SwitchyardStore
