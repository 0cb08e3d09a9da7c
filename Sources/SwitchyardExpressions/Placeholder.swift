// Expression language: see issue 3.
public enum SwitchyardExpressionsPlaceholder {}
