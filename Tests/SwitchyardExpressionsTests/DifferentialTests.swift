import Foundation
import SwitchyardExpressions
import Testing

/// A deterministic generator (SplitMix64) so every run produces the same expressions.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random expressions over the supported subset, excluding the documented deviations
/// (no `==`/`===` between arrays or objects, no integer-like object keys, no mutation through
/// aliases, no holes).
struct ExpressionGenerator {
    var rng: SplitMix

    mutating func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }
    mutating func chance(_ p: Double) -> Bool { Double(rng.next() % 10_000) / 10_000 < p }

    static let numbers = [
        "0", "1", "2", "3", "7", "10", "42", "255", "1000", "0.5", "1.5", "2.25", "0.1", "0.2", "1e3", "1e21",
        "1e-7",
        "123.456", "0x1f", "1/3", "NaN", "Infinity", "-0", "(-5)", "(-0.5)", "4294967296", "2147483648",
    ]
    static let strings = [
        "''", "'a'", "'b'", "'abc'", "'hello'", "'1'", "'0'", "'10'", "'9'", "' 12 '", "'1e3'", "'0x10'",
        "'x,y,z'",
        "'true'", "'null'", "'é'", "'Hello World'", "'  pad  '", "'-3.5'", "'abc def'",
    ]
    static let vars = ["a", "b", "s", "e", "t", "f", "n", "u", "num", "neg", "zero", "amount", "department"]
    static let arrayVars = ["arr", "strs", "tags"]

    mutating func atom() -> String {
        switch rng.next() % 10 {
        case 0, 1, 2: return pick(Self.numbers)
        case 3, 4: return pick(Self.strings)
        case 5: return pick(["true", "false", "null", "undefined"])
        case 6, 7, 8: return pick(Self.vars)
        default:
            return pick([
                "obj.x", "obj.y.z", "obj.list[1]", "arr[0]", "arr.length", "s.length", "strs[2]",
                "obj.missing",
            ])
        }
    }

    mutating func arrayExpr(_ depth: Int) -> String {
        if chance(0.5) { return pick(Self.arrayVars) }
        let n = Int(rng.next() % 4)
        return "[" + (0..<n).map { _ in depth > 2 ? atom() : expr(depth + 1) }.joined(separator: ", ") + "]"
    }

    mutating func wrap(_ s: String) -> String { chance(0.8) ? "(" + s + ")" : s }

    mutating func expr(_ depth: Int = 0) -> String {
        if depth > 3 || chance(0.25) { return atom() }
        switch rng.next() % 16 {
        case 0, 1, 2:
            let op = pick(["+", "-", "*", "/", "%", "+", "+"])
            return wrap(expr(depth + 1) + " " + op + " " + expr(depth + 1))
        case 3:
            return "(" + expr(depth + 1) + " ** " + pick(["0", "1", "2", "3", "0.5", "-1"]) + ")"
        case 4, 5:
            let op = pick(["<", "<=", ">", ">=", "==", "!=", "===", "!=="])
            return wrap(expr(depth + 1) + " " + op + " " + expr(depth + 1))
        case 6:
            let op = pick(["&&", "||"])
            return wrap(expr(depth + 1) + " " + op + " " + expr(depth + 1))
        case 7:
            return "(" + expr(depth + 1) + " ?? " + expr(depth + 1) + ")"
        case 8:
            return "(" + expr(depth + 1) + " ? " + expr(depth + 1) + " : " + expr(depth + 1) + ")"
        case 9:
            let op = pick(["&", "|", "^", "<<", ">>", ">>>"])
            return "(" + expr(depth + 1) + " " + op + " " + expr(depth + 1) + ")"
        case 10:
            return pick(["!", "-", "+", "~", "typeof ", "!!"]) + "(" + expr(depth + 1) + ")"
        case 11:
            let recv = pick(Self.strings + ["s", "department", "String(" + atom() + ")"])
            switch rng.next() % 14 {
            case 0: return recv + ".includes(" + pick(Self.strings) + ")"
            case 1: return recv + ".startsWith(" + pick(Self.strings) + ")"
            case 2: return recv + ".endsWith(" + pick(Self.strings) + ")"
            case 3: return recv + ".indexOf(" + pick(Self.strings) + ")"
            case 4: return recv + ".slice(" + pick(["0", "1", "-2", "2, 4", "-3, -1", "5", "1, 0"]) + ")"
            case 5: return recv + ".substring(" + pick(["0", "1", "-2", "2, 4", "3, 1"]) + ")"
            case 6: return recv + pick([".toLowerCase()", ".toUpperCase()", ".trim()"])
            case 7: return recv + ".split(" + pick(["','", "''", "' '", "'b'"]) + ")"
            case 8: return recv + ".replace(" + pick(Self.strings) + ", " + pick(Self.strings) + ")"
            case 9: return recv + ".length"
            case 10: return recv + "[" + pick(["0", "1", "5"]) + "]"
            case 11: return recv + ".charAt(" + pick(["0", "2", "9"]) + ")"
            case 12: return recv + ".lastIndexOf(" + pick(Self.strings) + ")"
            default: return recv + ".concat(" + atom() + ")"
            }
        case 12:
            let recv = arrayExpr(depth)
            switch rng.next() % 9 {
            case 0: return recv + ".includes(" + atom() + ")"
            case 1: return recv + ".indexOf(" + atom() + ")"
            case 2: return recv + ".join(" + pick(["", "'-'", "''"]) + ")"
            case 3: return recv + ".slice(" + pick(["0", "1", "-1", "0, 2"]) + ")"
            case 4: return recv + ".concat(" + arrayExpr(depth + 1) + ")"
            case 5: return recv + ".length"
            case 6: return recv + "[" + pick(["0", "1", "2", "5"]) + "]"
            case 7: return "(" + recv + " + " + expr(depth + 1) + ")"
            default: return recv
            }
        case 13:
            let f = pick([
                "Math.min", "Math.max", "Math.abs", "Math.floor", "Math.ceil", "Math.round", "Number",
                "String",
                "Boolean", "parseInt", "parseFloat", "isNaN",
            ])
            let argc = f.hasPrefix("Math.m") ? Int(rng.next() % 4) : 1
            return f + "(" + (0..<argc).map { _ in expr(depth + 1) }.joined(separator: ", ") + ")"
        case 14:
            return pick(["JSON.stringify(", "[].concat(", "Array.isArray("]) + expr(depth + 1) + ")"
        default:
            return pick([
                "('x' in obj)", "('length' in arr)", "(1 in arr)", "(arr instanceof Array)",
                "(s instanceof Array)",
            ])
        }
    }
}

@Suite struct DifferentialTests {
    static let nodePath: String? = {
        for p in ["/usr/bin/node", "/usr/local/bin/node", "/opt/homebrew/bin/node"]
        where FileManager.default.isExecutableFile(atPath: p) {
            return p
        }
        return nil
    }()

    static var showJS: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/expr-tests/show.js").path
    }

    /// Generates 10,000 random expressions, evaluates each with our evaluator and with node (one
    /// node process for the batch) and requires identical results.
    @Test(.enabled(if: nodePath != nil, "node is not installed: differential test skipped"))
    func agreesWithNode() throws {
        var gen = ExpressionGenerator(rng: SplitMix(state: 20_260_601))
        let exprs = (0..<10_000).map { _ in gen.expr() }
        var js = """
            'use strict';
            const { show, kindOf } = require(\(Value.string(Self.showJS).jsonString()!));
            function run(src) {
              let a = 5, b = 2.5, s = 'hello', e = '', t = true, f = false, n = null, u = undefined;
              let arr = [1, 2, 3], strs = ['x', 'y', 'urgent'], obj = {x: 1, y: {z: 'deep'}, list: [10, 20]};
              let num = '42', neg = -7, zero = 0, amount = 1500, department = 'legal', tags = ['a', 'urgent'];
              try { new Function('return (' + src + '\\n)'); return show(eval('(' + src + '\\n)')); }
              catch (err) { return 'error:' + kindOf(err); }
            }

            """
        for e in exprs { js += "console.log(run(\(Value.string(e).jsonString()!)));\n" }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "switchyard-diff-\(getpid()).js")
        try js.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.nodePath!)
        p.arguments = [file.path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let expected = String(decoding: data, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false)
        #expect(expected.count >= exprs.count)
        var failures = 0
        for (i, e) in exprs.enumerated() where i < expected.count {
            let got = Fixture.run(kind: "expr", source: e, result: "")
            if got != expected[i] {
                failures += 1
                if failures <= 30 { Issue.record("\(e)\n  ours: \(got)\n  node: \(expected[i])") }
            }
        }
        #expect(failures == 0, "\(failures) of \(exprs.count) expressions differ from node")
    }
}
