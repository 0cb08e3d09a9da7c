/// Machines the server tests deploy besides the shipped ones.
enum TestMachines {
    /// A ticket: assigned tickets get a 1 s reminder timer; `orphan` sends to `#_parent` from an
    /// instance nobody invoked (a dead letter).
    static let ticket = """
        <scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" name="ticket" initial="open"
          xmlns:sy="urn:switchyard:scxml:1" sy:searchable="assignee">
          <datamodel>
            <data id="assignee" expr="'nobody'"/>
            <data id="count" expr="0"/>
          </datamodel>
          <state id="open">
            <transition event="assign" target="assigned"><assign location="assignee" expr="_event.data.to"/></transition>
            <transition event="bump"><assign location="count" expr="count + 1"/></transition>
            <transition event="orphan"><send event="ping" target="#_parent"/></transition>
            <transition event="close" target="closed"/>
          </state>
          <state id="assigned">
            <onentry><send event="remind" delay="1s" id="reminder"/></onentry>
            <transition event="remind" target="overdue"/>
            <transition event="close" target="closed"/>
          </state>
          <state id="overdue">
            <transition event="close" target="closed"/>
          </state>
          <final id="closed"/>
        </scxml>
        """

    static let extra = ["ticket.scxml": ticket]
}
