public import SwitchyardCore
// SCXML loader: see issue 2.
public enum SwitchyardSCXMLPlaceholder {}
