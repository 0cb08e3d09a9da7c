import SwitchyardExpressions
import Testing

/// `CanonicalCode.text(of:)`: layout goes, tokens and line breaks stay.
@Suite struct CanonicalCodeTests {
    @Test(arguments: [
        ("a  &&\t b", "a&&b"),
        ("  count < limits.high[ 0 ]   && true  ", "count<limits.high[0]&&true"),
        ("x = 1\n\n      y = 2\n", "x=1\ny=2"),
        ("function f( n ) {   // one more\n    return n+1\n  }", "function f(n){\nreturn n+1\n}"),
        ("a /* note */ + b", "a+b"),
        ("a /* two\nlines */ b", "a\nb"),
        ("'open  ' + \"x\"", "'open  '+\"x\""),
        ("'a\\\n   b'", "'a\\\n   b'"),
        ("a - -b", "a- -b"),
        ("a - - b", "a- -b"),
        ("i++ + j", "i+++j"),
        ("a / /b/ . source", "a/ /b/.source"),
        ("x = /a/ / 2", "x=/a//2"),
        ("1 .toString()", "1 .toString()"),
        ("typeof x === 'string'", "typeof x==='string'"),
        ("In( 'a' )", "In('a')"),
        ("a ? .5 : 1", "a?.5:1"),
        ("\n  f(x)\n", "f(x)"),
        ("", ""),
    ])
    func canonicalText(source: String, expected: String) {
        #expect(CanonicalCode.text(of: source) == expected)
    }

    @Test func textThatDoesNotLexHasNone() {
        #expect(CanonicalCode.text(of: "a # b") == nil)
        #expect(CanonicalCode.text(of: "'unterminated") == nil)
        #expect(CanonicalCode.text(of: "a / / comment\n b") == nil)  // `/ comment` is an unterminated regex
    }

    @Test func jsonNeedsNoLineBreaks() {
        #expect(
            CanonicalCode.text(of: "{ \"a\" : 1,\n  \"b\" : [ 2 ] }", keepingLineBreaks: false)
                == #"{"a":1,"b":[2]}"#)
    }

    @Test func differentTokensStayDifferent() {
        #expect(CanonicalCode.text(of: "a+b") != CanonicalCode.text(of: "a++b"))
        #expect(CanonicalCode.text(of: "return n + 1") != CanonicalCode.text(of: "return\nn + 1"))
        #expect(CanonicalCode.text(of: "x<y") != CanonicalCode.text(of: "x<=y"))
    }
}
