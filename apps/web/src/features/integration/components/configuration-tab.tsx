import { useEffect } from "react";
import { Loading } from "../../../components/feedback";
import { humanize } from "../../../lib/format";
import { can } from "../../../lib/permissions";
import { useBEOStore } from "../../../stores/beo-store";
import { useRole } from "../../../stores/session-store";
import type { MaskedConfiguration } from "../api/get-integration-config";
import { ConfigurationForm } from "./configuration-form";

export function ConfigurationTab() {
  const role = useRole();
  const config = useBEOStore((s) => s.echoIntegrationConfig);
  const state = useBEOStore((s) => s.configState);
  const load = useBEOStore((s) => s.loadIntegrationConfig);

  useEffect(() => {
    void load();
  }, [load]);

  if (state === "idle" || (state === "loading" && !config)) return <Loading label="Loading configuration…" />;

  if (can(role, "configureIntegration")) {
    if (state === "error")
      return (
        <p className="banner banner-danger" role="alert">
          The configuration could not be loaded.
        </p>
      );
    return <ConfigurationForm config={config} />;
  }

  return (
    <div className="card config-readonly">
      <h2>Configuration</h2>
      <p className="muted">Only administrators change the integration settings.</p>
      {state === "error" || !config ? (
        <p>
          {state === "error"
            ? "Your role cannot view the configuration details."
            : "The integration has not been set up yet."}
        </p>
      ) : (
        <ConfigurationSummary config={config} />
      )}
    </div>
  );
}

function ConfigurationSummary({ config }: { config: MaskedConfiguration }) {
  return (
    <dl className="kv">
      <dt>Echo CRM API URL</dt>
      <dd>{config.echoCrmApiUrl ?? "—"}</dd>
      <dt>Maestro public URL</dt>
      <dd>{config.maestroApiUrl ?? "—"}</dd>
      <dt>Direction</dt>
      <dd>{config.syncDirection ? humanize(config.syncDirection) : "—"}</dd>
      <dt>Automatic sync</dt>
      <dd>{config.autoSync ? `Every ${config.syncInterval} minutes` : "Off"}</dd>
      <dt>Conflict policy</dt>
      <dd>{config.conflictResolution ? humanize(config.conflictResolution) : "—"}</dd>
      <dt>Enabled</dt>
      <dd>{config.enabled === false ? "No" : "Yes"}</dd>
    </dl>
  );
}
