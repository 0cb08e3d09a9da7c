import SwitchyardCore
import Testing

@Suite struct DelaySpecTests {
    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)), ("2s", .seconds(2)), ("1.5s", .milliseconds(1500)),
        (".5s", .milliseconds(500)), ("5m", .seconds(300)), ("24h", .seconds(86_400)),
        ("2d", .seconds(172_800)),
        (" 1s ", .seconds(1)), ("0s", .zero),
    ])
    func parsesValidDelays(text: String, expected: Duration) {
        #expect(DelaySpec.parse(text) == expected)
    }

    @Test(arguments: ["", "5", "s", "1.2.3s", "-1s", "1 s", "1sec", "abc", "1e3s", "1x"])
    func rejectsInvalidDelays(text: String) {
        #expect(DelaySpec.parse(text) == nil)
    }
}
