import SwitchyardExpressions

extension Interpreter {
    /// The instance's state, by ids, for saving. Pending timers are the executor's to fill in.
    public func snapshot() -> InterpreterState {
        var history: [String: [String]] = [:]
        for (h, value) in historyValue {
            history[definition.states[h].id] = value.map { definition.states[$0].id }
        }
        return InterpreterState(
            sessionID: sessionID, configuration: configurationIDs, data: dataModel, history: history,
            isRunning: isRunning, activeInvocations: activeInvocations,
            initializedStates: initialized.members.map { definition.states[$0].id }, sendCounter: sendCounter,
            invokeCounter: invokeCounter)
    }

    /// Restores an instance saved with ``snapshot()`` against the same (or a compatible)
    /// definition. Between macrosteps the internal queue is always empty, so the snapshot is the
    /// whole state.
    ///
    /// - Throws: ``InterpreterError/incompatibleSnapshot(_:)`` when it names a state the
    ///   definition does not have.
    public init(
        definition: MachineDefinition, restoring state: InterpreterState,
        options: InterpreterOptions = .init()
    ) throws(InterpreterError) {
        self.init(definition: definition, sessionID: state.sessionID, options: options)
        func index(_ id: String) throws(InterpreterError) -> Int {
            guard let i = definition.stateIndexByID[id] else {
                throw .incompatibleSnapshot("state '\(id)' does not exist")
            }
            return i
        }
        for id in state.configuration { configuration.insert(try index(id)) }
        for id in state.initializedStates { initialized.insert(try index(id)) }
        for (h, value) in state.history {
            var states: [Int] = []
            for id in value { states.append(try index(id)) }
            historyValue[try index(h)] = states
        }
        for item in state.data {
            if let slot = environment.symbols.slot(of: item.name) {
                environment[slot] = item.value
            } else {
                environment.declare(item.name, value: item.value)
            }
        }
        activeInvocations = state.activeInvocations
        sendCounter = state.sendCounter
        invokeCounter = state.invokeCounter
        started = true
        isRunning = state.isRunning
        exited = !state.isRunning
        initialData = []
        setSystemVariables()
    }
}
