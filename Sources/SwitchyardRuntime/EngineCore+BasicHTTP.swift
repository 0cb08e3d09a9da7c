import SwitchyardCore
import SwitchyardExpressions

extension EngineCore {
    /// POSTs a step's Basic HTTP send through ``EngineOptions/basicHTTP`` in the background. A
    /// failure (or no transport) gives the sending instance `error.communication`; either way the
    /// send's outbox entry, if it has one, is removed once the POST is over.
    func postBasicHTTP(_ request: BasicHTTPRequest, outboxID: String?) {
        guard let transport = options.basicHTTP else {
            basicHTTPFinished(
                request, .failure(BasicHTTPError("this engine has no Basic HTTP transport")),
                outboxID: outboxID)
            return
        }
        transport.post(request) { [self] result in basicHTTPFinished(request, result, outboxID: outboxID) }
    }

    private func basicHTTPFinished(
        _ request: BasicHTTPRequest, _ result: Result<Void, BasicHTTPError>, outboxID: String?
    ) {
        if case .failure(let error) = result {
            let what = request.eventName.isEmpty ? "an event" : "'\(request.eventName)'"
            let message = "cannot POST \(what) to \(request.url): \(error.message)"
            logger.warning("\(message)", metadata: ["instance": .string(request.sender)])
            var event = Event.platformError("error.communication", message: message)
            event.kind = .external
            shard(for: request.sender).post(
                .deliver(
                    instanceID: request.sender, event: event, eventID: outboxID.map { "\($0)!failed" },
                    reply: nil))
        }
        guard let outboxID, let store else { return }
        Task { [self] in
            do throws(StoreError) {
                try await store.commit(StoreBatch(delivered: [outboxID]))
            } catch {
                logger.error("could not remove the outbox entry of a Basic HTTP send: \(error.message)")
            }
        }
    }

    /// The Basic HTTP send an outbox entry holds, when it holds one: the sender is the part of
    /// the entry's id (`<sender>#<record>.<n>`) before its last `#`.
    static func basicHTTPRequest(_ entry: OutboxEntry, event: Event) -> BasicHTTPRequest? {
        guard entry.target.hasPrefix(Shard.basicHTTPTarget),
            let hash = entry.id.lastIndex(of: "#")
        else { return nil }
        let url = String(entry.target.dropFirst(Shard.basicHTTPTarget.count))
        return BasicHTTPRequest(
            event: event, url: url, sender: String(entry.id[..<hash]), idempotencyKey: entry.id)
    }
}
