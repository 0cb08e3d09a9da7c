/// The canonical text of a piece of code in the expression language: the same tokens, with
/// the whitespace and comments between them reduced to what the language needs.
///
/// Two texts that differ only in indentation, spacing, blank lines, trailing whitespace or
/// comments have the same canonical text; texts with different tokens never do. A machine
/// definition is named by the hash of its canonical document, so re-indenting a file is not a
/// new version while changing an operator or a name is.
public enum CanonicalCode {
    /// `source` with its tokens written as they appear (string and number literals verbatim),
    /// separated by nothing, by one space where two tokens would otherwise lex as something
    /// else (`a b`, `- -x`, `/ /`), or by one newline where a line terminator separated them
    /// (automatic semicolon insertion reads line breaks). Comments are dropped.
    ///
    /// The result lexes to exactly the tokens of `source`, with the same line breaks, so it
    /// means what `source` means; that is checked, and nil is returned when it would not hold
    /// or when `source` does not lex. With `keepingLineBreaks: false` (for JSON, where a line
    /// break is only whitespace) line breaks are treated like any other whitespace.
    public static func text(of source: String, keepingLineBreaks: Bool = true) -> String? {
        let bytes = Array(source.utf8)
        guard let tokens = tokens(bytes) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var previous: ArraySlice<UInt8>?
        // Whether a `/` could start a regular expression where `previous` starts.
        var regexBeforePrevious = true
        var regexBefore = true
        for t in tokens {
            let text = bytes[Int(t.start)..<Int(t.end)]
            if let previous {
                if t.newlineBefore && keepingLineBreaks {
                    out.append(0x0A)
                } else if !lexApart(previous, text, regexAllowed: regexBeforePrevious) {
                    out.append(0x20)
                }
            }
            out += text
            previous = text
            regexBeforePrevious = regexBefore
            regexBefore = Lexer.allowsRegex(after: t.kind)
        }
        // The first token's line break is the text's leading whitespace: it separates nothing.
        guard let again = Self.tokens(out), again.count == tokens.count,
            zip(again, tokens).enumerated().allSatisfy({ i, pair in
                pair.0.kind == pair.1.kind
                    && (i == 0 || !keepingLineBreaks || pair.0.newlineBefore == pair.1.newlineBefore)
            })
        else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    /// The tokens of `bytes` without the final end-of-input token; nil when it does not lex.
    private static func tokens(_ bytes: [UInt8], regexAllowed: Bool = true) -> [Token]? {
        var lexer = Lexer(bytes)
        lexer.regexAllowed = regexAllowed
        var tokens: [Token] = []
        while true {
            guard let t = try? lexer.next() else { return nil }
            if t.kind == .eof { return tokens }
            tokens.append(t)
        }
    }

    /// Whether `a` directly followed by `b` still lexes as those two tokens (`regexAllowed`: the
    /// lexer's state where `a` starts, so that `/` reads as it does in the whole text).
    private static func lexApart(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>, regexAllowed: Bool) -> Bool {
        let joined = Array(a) + Array(b)
        guard let tokens = tokens(joined, regexAllowed: regexAllowed), tokens.count == 2 else { return false }
        return Int(tokens[0].end) == a.count
    }
}
