import Foundation
import SwitchyardExpressions
import Testing

/// One regex case: an expression and what node prints for it (`show` rendering, or
/// `error:<kind>`), with `g = 2` and `c = 4` added to the table fixture's variables.
struct RegexCase: Sendable, CustomStringConvertible {
    var source: String
    var expected: String
    init(_ source: String, _ expected: String) {
        self.source = source
        self.expected = expected
    }
    var description: String { source }
}

/// Regular expressions: literals (and telling them from division), the regex value, the
/// string and regex methods, errors with positions, and the matcher's work bound. Every
/// expected value was printed by node (v20) for the same expression.
@Suite struct RegexTests {
    static func evaluate(_ source: String) -> String {
        var env = Fixture.environment()
        env.declare("g", value: 2)
        env.declare("c", value: 4)
        do {
            let code = try CompiledExpression.compile(source, symbols: env.symbols)
            return show(try code.evaluate(in: &env))
        } catch {
            return "error:" + error.kind.rawValue
        }
    }

    static let cases: [RegexCase] = [
        .init("typeof /a/", "\"object\""),
        .init("String(/a\\/b/gi)", "\"/a\\\\/b/gi\""),
        .init("/a/ig.flags", "\"gi\""),
        .init("/a/ig.source", "\"a\""),
        .init("/[/]/.source", "\"[/]\""),
        .init("'' + /x+/m", "\"/x+/m\""),
        .init("/a/ + 1", "\"/a/1\""),
        .init("JSON.stringify(/a/)", "\"{}\""),
        .init("JSON.stringify([/a/, {r: /b/}])", "\"[{},{\\\"r\\\":{}}]\""),
        .init("/a/ == /a/", "false"),
        .init("/a/ === /a/", "false"),
        .init("(function () { var r = /a/; return r === r; })()", "true"),
        .init("(function () { function m() { return /a/; } return m() === m(); })()", "false"),
        .init("!!/a/", "true"),
        .init("/a/ ? 1 : 2", "1"),
        .init("/a/g.global", "true"),
        .init("/a/.global", "false"),
        .init("/a/i.ignoreCase", "true"),
        .init("/a/m.multiline", "true"),
        .init("/a/s.dotAll", "true"),
        .init("/a/u.unicode", "true"),
        .init("/a/y.sticky", "true"),
        .init("/a/.lastIndex", "0"),
        .init("/a/ instanceof RegExp", "true"),
        .init("/a/ instanceof Object", "true"),
        .init("Object.keys(/a/)", "[]"),
        .init("/a/.toString()", "\"/a/\""),
        .init("/a/.nope", "undefined"),
        .init("a / b / g", "1"),
        .init("a /b/ g", "1"),
        .init("(1)/2/1", "0.5"),
        .init("[1]/2", "0.5"),
        .init("[4]/2/1", "2"),
        .init("a++ / 2", "2.5"),
        .init("(function (x) { return /a/.test(x); })('cat')", "true"),
        .init("typeof /x/", "\"object\""),
        .init("[/a/, /b/g].length", "2"),
        .init("({r: /a/}).r.source", "\"a\""),
        .init("1 /2/ 4", "0.125"),
        .init("a/2/1", "2.5"),
        .init("' /x/ '.length", "5"),
        .init("/a+/.test('caaat')", "true"),
        .init("/^a+$/.test('caaat')", "false"),
        .init("/A/i.test('xa')", "true"),
        .init("/^b/m.test('a\\nb')", "true"),
        .init("/^b/.test('a\\nb')", "false"),
        .init("/a.c/.test('a\\nc')", "false"),
        .init("/a.c/s.test('a\\nc')", "true"),
        .init("/\\bfoo\\b/.test('a foo b')", "true"),
        .init("/\\bfoo\\b/.test('afoob')", "false"),
        .init("/\\Boo/.test('foo')", "true"),
        .init("/(a)|b/.exec('b')", "[\"b\",undefined]"),
        .init("/(\\d+)-(\\d+)/.exec('tel 12-345 x')", "[\"12-345\",\"12\",\"345\"]"),
        .init("/x/.exec('abc')", "null"),
        .init("/(?:ab)+/.exec('ababab')", "[\"ababab\"]"),
        .init("/(a*)*b/.test('aaab')", "true"),
        .init("/(a*)+$/.exec('aab')", "[\"\",\"\"]"),
        .init("/(?=a)a/.exec('ba')", "[\"a\"]"),
        .init("/(?!a)\\w/.exec('ab')", "[\"b\"]"),
        .init("/(a)(?=(b))/.exec('ab')", "[\"a\",\"a\",\"b\"]"),
        .init("/(?:(a)|b)+/.exec('ab')", "[\"ab\",undefined]"),
        .init("/(a)\\1/.test('aa')", "true"),
        .init("/(a)\\1/.test('ab')", "false"),
        .init("/\\1(a)/.exec('a')", "[\"a\",\"a\"]"),
        .init("/(?<y>\\d{4})-(?<m>\\d\\d)/.exec('on 2026-12-03')", "[\"2026-12\",\"2026\",\"12\"]"),
        .init("/\\k<y>(?<y>a)/.exec('a')", "[\"a\",\"a\"]"),
        .init("/[a-c]+/.exec('xxbcaz')", "[\"bca\"]"),
        .init("/[^a-c]+/.exec('abxyz')", "[\"xyz\"]"),
        .init("/[\\d.]+/.exec('v1.25b')", "[\"1.25\"]"),
        .init("/[\\w-]+/.exec('  foo-bar!')", "[\"foo-bar\"]"),
        .init("/[a\\-z]+/.exec('-a-z-b')", "[\"-a-z-\"]"),
        .init("/\\s+/.exec('a \\t\\n b')", "[\" \\t\\n \"]"),
        .init("/\\S+/.exec('  ab  ')", "[\"ab\"]"),
        .init("/\\D+/.exec('12ab3')", "[\"ab\"]"),
        .init("/\\W/.exec('ab_c!')", "[\"!\"]"),
        .init("/a{2}/.exec('aaaa')", "[\"aa\"]"),
        .init("/a{2,3}/.exec('aaaa')", "[\"aaa\"]"),
        .init("/a{2,}/.exec('aaaaa')", "[\"aaaaa\"]"),
        .init("/a{,2}/.exec('a{,2}')", "[\"a{,2}\"]"),
        .init("/a{2,3}?/.exec('aaaa')", "[\"aa\"]"),
        .init("/a+?/.exec('aaa')", "[\"a\"]"),
        .init("/a*?b/.exec('aaab')", "[\"aaab\"]"),
        .init("/(a+?)(a*)/.exec('aaa')", "[\"aaa\",\"a\",\"aa\"]"),
        .init("/<.*>/.exec('<a><b>')", "[\"<a><b>\"]"),
        .init("/<.*?>/.exec('<a><b>')", "[\"<a>\"]"),
        .init("/x*/.exec('abc')", "[\"\"]"),
        .init("/\\x41\\u0042/.test('AB')", "true"),
        .init("/\\n/.test('a\\nb')", "true"),
        .init("/\\t/.test('a\\tb')", "true"),
        .init("/\\//.test('a/b')", "true"),
        .init("/[/]/.test('a/b')", "true"),
        .init("/a|ab/.exec('abc')", "[\"a\"]"),
        .init("/(a|ab)(c|bcd)(d*)/.exec('abcd')", "[\"abcd\",\"a\",\"bcd\",\"\"]"),
        .init("/\\u00e9/i.test('\\u00c9')", "true"),
        .init("/[a-z]/i.test('Q')", "true"),
        .init("/[A-Z]+/i.exec('xHeLLo1')", "[\"xHeLLo\"]"),
        .init("/é+/.exec('café é')", "[\"é\"]"),
        .init("/./u.exec('\\ud83d\\ude00x')[0].length", "2"),
        .init("/./.exec('\\ud83d\\ude00x')[0].length", "1"),
        .init("/a$/m.test('a\\nb')", "true"),
        .init("/a$/.test('a\\nb')", "false"),
        .init("/^$/.test('')", "true"),
        .init("/]/.test(']')", "true"),
        .init("/}/.test('}')", "true"),
        .init("/\\cJ/.test('\\n')", "true"),
        .init("/[\\b]/.test('\\b')", "true"),
        .init("/\\0/.test('\\0')", "true"),
        .init("/\\101/.test('A')", "true"),
        .init("/\\8/.test('8')", "true"),
        .init("/a{1,2}b{0,}c?/.exec('aabbbc')", "[\"aabbbc\"]"),
        .init("'hello world'.search('o')", "4"),
        .init("'hello world'.search(/o/)", "4"),
        .init("'hello world'.search(/z/)", "-1"),
        .init("'hello world'.search(/O/i)", "4"),
        .init("'hello'.search()", "0"),
        .init("'a.b'.search('.')", "0"),
        .init("'a.b'.search('\\\\.')", "1"),
        .init("'日本語abc'.search(/abc/)", "3"),
        .init("'😀abc'.search(/abc/)", "2"),
        .init("'😀abc'.search(/abc/u)", "2"),
        .init("'xay'.search(/a/y)", "-1"),
        .init("'axy'.search(/a/y)", "0"),
        .init("'a1b22c333'.match(/\\d+/)", "[\"1\"]"),
        .init("'a1b22c333'.match(/\\d+/g)", "[\"1\",\"22\",\"333\"]"),
        .init("'abc'.match(/x/g)", "null"),
        .init("'abc'.match(/x/)", "null"),
        .init("'abc'.match('b')", "[\"b\"]"),
        .init("'abc'.match(/(?:)/g)", "[\"\",\"\",\"\",\"\"]"),
        .init("'aaa'.match(/a*?/g)", "[\"\",\"\",\"\",\"\"]"),
        .init("'key=val; k2=v2'.match(/(\\w+)=(\\w+)/)", "[\"key=val\",\"key\",\"val\"]"),
        .init("'key=val; k2=v2'.match(/(\\w+)=(\\w+)/g)", "[\"key=val\",\"k2=v2\"]"),
        .init("'😀😀'.match(/./gu).length", "2"),
        .init("'😀😀'.match(/./g).length", "4"),
        .init("'A1 b2'.match(/[a-z]\\d/gi)", "[\"A1\",\"b2\"]"),
        .init("'aaa'.replace(/a/, 'b')", "\"baa\""),
        .init("'aaa'.replace(/a/g, 'b')", "\"bbb\""),
        .init("'aaa'.replaceAll(/a/g, 'b')", "\"bbb\""),
        .init("'john smith'.replace(/(\\w+)\\s(\\w+)/, '$2, $1')", "\"smith, john\""),
        .init("'abc'.replace(/b/, '[$&]')", "\"a[b]c\""),
        .init("'abc'.replace(/b/, '[$`|$\\']')", "\"a[a|c]c\""),
        .init("'abc'.replace(/b/, '$$')", "\"a$c\""),
        .init("'abc'.replace(/b/, '$0')", "\"a$0c\""),
        .init("'abc'.replace(/(b)/, '$2')", "\"a$2c\""),
        .init("'abc'.replace(/(b)/, '$01')", "\"abc\""),
        .init("'abc'.replace(/(b)/, '$10')", "\"ab0c\""),
        .init("'abcdefghijkl'.replace(/(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)/, '$11-$10-$1')", "\"k-j-al\""),
        .init("'abc'.replace(/(?<x>b)/, '[$<x>]')", "\"a[b]c\""),
        .init("'abc'.replace(/b/, '[$<x>]')", "\"a[$<x>]c\""),
        .init("'abc'.replace(/(x)?b/, '[$1]')", "\"a[]c\""),
        .init("'abc'.replace(/x*/g, '-')", "\"-a-b-c-\""),
        .init("'abc'.replace(/$/, '!')", "\"abc!\""),
        .init("'a-b_c'.replace(/[-_]/g, ' ')", "\"a b c\""),
        .init("'aaa'.replaceAll(/a/, 'b')", "error:type"),
        .init("'Hello'.replace(/l/gi, 'L')", "\"HeLLo\""),
        .init("'😀a😀'.replace(/a/u, 'b')", "\"😀b😀\""),
        .init("'😀a😀'.replace(/(?:)/gu, '-')", "\"-😀-a-😀-\""),
        .init("'😀'.replace(/(?:)/g, '-').length", "5"),
        .init("'a, b,c'.split(/,\\s*/)", "[\"a\",\"b\",\"c\"]"),
        .init("'a1b2c3'.split(/\\d/)", "[\"a\",\"b\",\"c\",\"\"]"),
        .init("'a1b2c3'.split(/(\\d)/)", "[\"a\",\"1\",\"b\",\"2\",\"c\",\"3\",\"\"]"),
        .init("'abc'.split(/(?:)/)", "[\"a\",\"b\",\"c\"]"),
        .init("'abc'.split(/b*/)", "[\"a\",\"c\"]"),
        .init("''.split(/x/)", "[\"\"]"),
        .init("''.split(/(?:)/)", "[]"),
        .init("'a,b,c'.split(/,/, 2)", "[\"a\",\"b\"]"),
        .init("'a1b2c'.split(/(\\d)/, 2)", "[\"a\",\"1\"]"),
        .init("'test'.split(/(t)?/)", "[\"\",\"t\",\"e\",undefined,\"s\",\"t\",\"\"]"),
        .init(
            "'A<B>bold</B>and<CODE>coded</CODE>'.split(/<(\\/)?([^<>]+)>/)",
            "[\"A\",undefined,\"B\",\"bold\",\"/\",\"B\",\"and\",undefined,\"CODE\",\"coded\",\"/\",\"CODE\",\"\"]"
        ),
        .init("RegExp('a+', 'g').flags", "\"g\""),
        .init("RegExp('a/b').source", "\"a\\\\/b\""),
        .init("String(RegExp('a/b'))", "\"/a\\\\/b/\""),
        .init("RegExp('').source", "\"(?:)\""),
        .init("RegExp('x').test('axb')", "true"),
        .init("RegExp(/ab/g).flags", "\"g\""),
        .init("RegExp(/ab/g, 'i').flags", "\"i\""),
        .init("String(RegExp('\\n'))", "\"/\\\\n/\""),
        .init("RegExp('[/]').source", "\"[/]\""),
        .init("'a'.search('(')", "error:syntax"),
        .init("RegExp('a', 'gg')", "error:syntax"),
        .init("RegExp('a', 'x')", "error:syntax"),
        .init("'a'.match('[')", "error:syntax"),
        .init("/a/.foo()", "error:type"),
        .init("/a/gg", "error:syntax"),
        .init("/a/x", "error:syntax"),
        .init("/(/", "error:syntax"),
        .init("/)/", "error:syntax"),
        .init("/[a/", "error:syntax"),
        .init("/a**/", "error:syntax"),
        .init("/+/", "error:syntax"),
        .init("/?/", "error:syntax"),
        .init("/a{2,1}/", "error:syntax"),
        .init("/[z-a]/", "error:syntax"),
        .init("/(?<a>x)(?<a>y)/", "error:syntax"),
        .init("/\\k<zz>(?<a>x)/", "error:syntax"),
        .init("/\\u{41}/u.test('A')", "true"),
        .init("/\\p/u", "error:syntax"),
    ]

    @Test(arguments: cases)
    func matchesNode(_ c: RegexCase) {
        #expect(Self.evaluate(c.source) == c.expected, "\(c.source)")
    }

    // MARK: the W3C Basic HTTP I/O processor conditions

    /// `_event.raw` as the Basic HTTP I/O processor delivers it, for four request bodies; the
    /// expected booleans are node's for the same text. (`/this+is+some+content/` does not match
    /// the form-encoded `this+is+some+content`: `+` is a quantifier; it matches
    /// `thisissomecontent`.)
    static let rawRequests: [(name: String, raw: String, expected: [Bool])] = [
        (
            "form",
            "POST /scxml/session HTTP/1.1\r\nHost: localhost:8080\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 13\r\n\r\nVar1=2&_scxmleventname=test",
            [true, true, false, false]
        ),
        (
            "plus",
            "POST /basichttp HTTP/1.1\r\nHost: 127.0.0.1:9000\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\ncontent=this+is+some+content",
            [true, false, false, false]
        ),
        (
            "percent",
            "POST /basichttp HTTP/1.1\r\nHost: 127.0.0.1:9000\r\nContent-Type: text/plain\r\n\r\nthis%20is%20some%20content",
            [true, false, false, true]
        ),
        (
            "plain",
            "POST /basichttp HTTP/1.1\r\nContent-Type: text/plain\r\n\r\nthisissomecontent",
            [true, false, true, false]
        ),
    ]

    static let w3cConditions = [
        "_event.raw.search('POST') !== -1", "_event.raw.search(/Var1=2/) !== -1",
        "_event.raw.search(/this+is+some+content/) !== -1",
        "_event.raw.search(/this%20is%20some%20content/) !== -1",
    ]

    @Test func w3cBasicHTTPConditions() throws {
        var symbols = SymbolTable()
        symbols.declare("_event", readOnly: true)
        let conditions = try Self.w3cConditions.map { try CompiledExpression.compile($0, symbols: symbols) }
        for request in Self.rawRequests {
            var env = Environment(symbols: symbols)
            env.declare("_event", readOnly: true, value: ["name": "http.post", "raw": .string(request.raw)])
            let got = try conditions.map { try $0.evaluate(in: &env).truthy }
            #expect(got == request.expected, "\(request.name)")
        }
    }

    // MARK: errors

    static let positions: [PositionCase] = [
        .init(source: "/a/gg", kind: .syntax, line: 1, column: 5),
        .init(source: "/a/x", kind: .syntax, line: 1, column: 4),
        .init(source: "x = /(/", kind: .syntax, line: 1, column: 6),
        .init(source: "/a**/", kind: .syntax, line: 1, column: 4),
        .init(source: "/[z-a]/", kind: .syntax, line: 1, column: 3),
        .init(source: "'é' + /a{2,1}/", kind: .syntax, line: 1, column: 9),
        .init(source: "s.search(/abc)", kind: .syntax, line: 1, column: 10),
        .init(source: "s.search(/a\nb/)", kind: .syntax, line: 1, column: 10),
        .init(source: "s.search(/x/) +\n /[/", kind: .syntax, line: 2, column: 2),
        .init(source: "/(?<=a)b/", kind: .syntax, line: 1, column: 2),
        .init(source: "/\\k<zz>(?<a>x)/", kind: .syntax, line: 1, column: 2),
        .init(source: "/a/d", kind: .syntax, line: 1, column: 4),
        .init(source: "s.search('(')", kind: .syntax, line: 1, column: 9),
        .init(source: "RegExp('a', 'gg')", kind: .syntax, line: 1, column: 7),
        .init(source: "s.replaceAll(/l/, 'L')", kind: .type, line: 1, column: 13),
        .init(source: "s.replace(/l/, function () { return 'L'; })", kind: .type, line: 1, column: 10),
        .init(source: "/a/.foo()", kind: .type, line: 1, column: 8),
        .init(
            source: "/(a+)+b/.test('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!')", kind: .limit, line: 1,
            column: 14),
    ]

    @Test(arguments: positions)
    func positioned(_ c: PositionCase) {
        var env = Fixture.environment()
        do {
            _ = try CompiledExpression.compile(c.source, symbols: env.symbols).evaluate(in: &env)
            Issue.record("no error for \(c.source)")
        } catch {
            #expect(error.kind == c.kind, "\(c.source): \(error)")
            #expect(error.line == c.line && error.column == c.column, "\(c.source): \(error)")
        }
    }

    /// A bad pattern is an error when the expression is compiled, even where it would never run.
    @Test func badPatternFailsAtCompileTime() {
        #expect(throws: ExpressionError.self) {
            _ = try CompiledExpression.compile("false && /(/.test('x')", symbols: SymbolTable())
        }
    }

    // MARK: the work bound

    /// Exponential backtracking stops at the evaluation's step limit, quickly, with a limit error
    /// that names the likely cause.
    @Test func catastrophicBacktrackingHitsTheStepLimit() throws {
        let subject = String(repeating: "a", count: 40) + "!"
        for pattern in ["/(a+)+b/", "/(a*)*b/", "/(a|aa)+b/", "/(a|a)*b/", "/(.*a){20}b/"] {
            let code = try CompiledExpression.compile(
                pattern + ".test(s)", symbols: Fixture.environment().symbols)
            var env = Fixture.environment()
            env.declare("s", value: .string(subject))
            env.limits = Limits(maxSteps: 100_000)
            let clock = ContinuousClock()
            let started = clock.now
            do {
                _ = try code.evaluate(in: &env)
                Issue.record("\(pattern) matched")
            } catch {
                #expect(error.kind == .limit, "\(pattern): \(error)")
                #expect(error.message.contains("step limit of 100000 "), "\(error.message)")
                #expect(error.message.contains("nested quantifiers"), "\(error.message)")
            }
            #expect(clock.now - started < .seconds(10), "\(pattern)")
        }
    }

    /// The matcher's work counts against `maxSteps` like every other built-in.
    @Test func matchingChargesSteps() throws {
        let limits = Limits(maxSteps: 2_000)
        let options = CompileOptions(limits: limits)
        let code = try CompiledExpression.compile(
            "s.search(/(x+x+)+y/)", symbols: Fixture.environment().symbols, options: options)
        var env = Fixture.environment()
        env.declare("s", value: .string(String(repeating: "x", count: 30)))
        env.limits = limits
        #expect(throws: ExpressionError.self) { try code.evaluate(in: &env) }
        env.limits = .default
        // A linear scan of a long subject stays well within the default budget.
        let long = String(repeating: "ab", count: 200_000) + "POST"
        env.declare("s", value: .string(long))
        let search = try CompiledExpression.compile("s.search(/POST/)", symbols: env.symbols)
        #expect(try search.evaluate(in: &env) == .number(Double(long.utf16.count - 4)))
        let star = try CompiledExpression.compile("s.match(/(?:ab)*P/)[0].length", symbols: env.symbols)
        #expect(try star.evaluate(in: &env) == .number(Double(long.utf16.count - 3)))
    }

    /// Counted quantifiers expand; a pattern that would expand past the instruction budget is a
    /// compile-time error, not an allocation.
    @Test func hugeCountedQuantifierIsACompileError() {
        do {
            _ = try CompiledExpression.compile("/((ab){1000}){1000}/", symbols: SymbolTable())
            Issue.record("compiled")
        } catch {
            #expect(error.kind == .syntax)
            #expect(error.message.contains("too large"), "\(error.message)")
        }
        // A single repeated character needs no expansion.
        #expect(Self.evaluate("/a{0,100000}/.exec('aaa')[0]") == "\"aaa\"")
    }

    // MARK: the value

    @Test func publicAPI() throws {
        let re = try RegexValue(pattern: "a(b+)", flags: "ig")
        #expect(re.source == "a(b+)")
        #expect(re.flags == "gi")
        #expect(re.global && re.ignoreCase && !re.multiline && !re.dotAll && !re.unicode && !re.sticky)
        #expect(re.description == "/a(b+)/gi")
        #expect(Value.regex(re).typeName == "object")
        #expect(Value.regex(re).jsString == "/a(b+)/gi")
        #expect(Value.regex(re).displayString == "/a(b+)/gi")
        #expect(Value.regex(re).jsonString() == "{}")
        #expect(Value.regex(re) == Value.regex(re))
        #expect(Value.regex(re) != Value.regex(try RegexValue(pattern: "a(b+)", flags: "ig")))
        #expect(try RegexValue(pattern: "").source == "(?:)")
        // node: new RegExp('a/b\n[/]').source
        #expect(try RegexValue(pattern: "a/b\n[/]").source == #"a\/b\n[/]"#)
        do {
            _ = try RegexValue(pattern: "ab(", flags: "")
            Issue.record("compiled")
        } catch {
            #expect(error.kind == .syntax && error.column == 3)
        }
        do {
            _ = try RegexValue(pattern: "ab", flags: "gq")
            Issue.record("compiled")
        } catch {
            #expect(error.kind == .syntax && error.column == 5)
        }
    }

    /// Snapshots keep regexes: `{"$regex": [source, flags]}`, compiled again on decoding.
    @Test func codableRoundTrip() throws {
        let value: Value = ["r": .regex(try RegexValue(pattern: "a.b+", flags: "mi")), "n": 1]
        let data = try JSONEncoder().encode(value)
        #expect(String(decoding: data, as: UTF8.self).contains(#"{"$regex":["a.b+","im"]}"#))
        let back = try JSONDecoder().decode(Value.self, from: data)
        guard case .object(let o) = back, case .regex(let r) = o["r"] else {
            Issue.record("not a regex: \(back)")
            return
        }
        #expect(r.source == "a.b+" && r.flags == "im")
        let bad = Data(#"{"$regex":["(","g"]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Value.self, from: bad) }
    }

    /// Canonical code keeps a regex literal a regex (and a division a division).
    @Test func canonicalCode() {
        #expect(CanonicalCode.text(of: "a  /  b / c") == "a/b/c")
        #expect(CanonicalCode.text(of: "s.search( /a b/g ) !== -1") == "s.search(/a b/g)!==-1")
        #expect(CanonicalCode.text(of: "x = a / /re/.source.length") != nil)
        #expect(CanonicalCode.text(of: "typeof /x/") == "typeof/x/")
    }
}
