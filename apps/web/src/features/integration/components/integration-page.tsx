import { useEffect } from "react";
import { Tabs, type TabItem } from "../../../components/tabs";
import { useLiveEvent } from "../../../lib/live-events";
import { setSearchParam, useLocation } from "../../../lib/router";
import { useBEOStore } from "../../../stores/beo-store";
import { ConfigurationTab } from "./configuration-tab";
import { ConflictsTab } from "./conflicts-tab";
import { EchoEventsTab } from "./echo-events-tab";
import { HistoryTab } from "./history-tab";
import { StatusTab } from "./status-tab";

const tabIds = ["status", "conflicts", "echo-events", "history", "configuration"] as const;
type TabId = (typeof tabIds)[number];

export function IntegrationPage() {
  const { search } = useLocation();
  const param = search.get("tab");
  const selected: TabId = (tabIds as readonly string[]).includes(param ?? "") ? (param as TabId) : "status";
  const openConflicts = useBEOStore((s) => s.syncStatus?.counts.conflicts ?? s.pendingConflicts.length);
  const loadConflicts = useBEOStore((s) => s.loadConflicts);

  useEffect(() => {
    void loadConflicts();
  }, [loadConflicts]);
  useLiveEvent(["conflict.changed"], () => void loadConflicts());

  const tabs: TabItem[] = [
    { id: "status", label: "Status" },
    {
      id: "conflicts",
      label: "Conflicts",
      extra: openConflicts > 0 ? <span className="tab-count">{openConflicts}</span> : undefined,
    },
    { id: "echo-events", label: "Echo events" },
    { id: "history", label: "History" },
    { id: "configuration", label: "Configuration" },
  ];

  return (
    <section className="page integration-page">
      <div className="page-heading">
        <h1>Echo CRM integration</h1>
        <p className="muted">Two-way sync between the sales team's Echo CRM Events and Maestro's calendar and BEOs.</p>
      </div>
      <Tabs
        label="Integration sections"
        tabs={tabs}
        selected={selected}
        onSelect={(id) => setSearchParam("tab", id === "status" ? null : id)}
      >
        {selected === "status" && <StatusTab />}
        {selected === "conflicts" && <ConflictsTab />}
        {selected === "echo-events" && <EchoEventsTab />}
        {selected === "history" && <HistoryTab />}
        {selected === "configuration" && <ConfigurationTab />}
      </Tabs>
    </section>
  );
}
