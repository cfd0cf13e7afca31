import {
  conflictPolicies,
  syncConfigurationPatchSchema,
  syncConfigurationSchema,
  syncDirections,
} from "@maestro/shared/integration.schema";
import { useEffect, useState, type FormEvent } from "react";
import { SelectField, TextField } from "../../../components/field";
import { ApiError, errorMessage } from "../../../lib/api-client";
import { humanize } from "../../../lib/format";
import { issuesByPath } from "../../../lib/validation";
import { useBEOStore } from "../../../stores/beo-store";
import { useSession } from "../../../stores/session-store";
import { toast } from "../../../stores/toast-store";
import type { MaskedConfiguration } from "../api/get-integration-config";
import type { ConfigurationPatch } from "../api/update-integration-config";

type Draft = {
  echoCrmApiUrl: string;
  echoCrmApiKey: string;
  maestroApiUrl: string;
  maestroApiKey: string;
  webhookSecret: string;
  syncDirection: string;
  autoSync: boolean;
  syncInterval: string;
  conflictResolution: string;
  enabled: boolean;
};

const secrets = ["echoCrmApiKey", "maestroApiKey", "webhookSecret"] as const;

const fromConfig = (c: MaskedConfiguration | null): Draft => ({
  echoCrmApiUrl: c?.echoCrmApiUrl ?? "",
  echoCrmApiKey: "",
  maestroApiUrl: c?.maestroApiUrl ?? window.location.origin,
  maestroApiKey: "",
  webhookSecret: "",
  syncDirection: c?.syncDirection ?? "bidirectional",
  autoSync: c?.autoSync ?? true,
  syncInterval: String(c?.syncInterval ?? 15),
  conflictResolution: c?.conflictResolution ?? "newest_wins",
  enabled: c?.enabled !== false,
});

// Admin form. Without a stored configuration it initializes the integration;
// afterwards it PATCHes only what changed. Secrets are never shown: an empty
// secret input keeps the stored value.
export function ConfigurationForm({ config }: { config: MaskedConfiguration | null }) {
  const organizationId = useSession((s) => s.me?.organization.id ?? "");
  const initialize = useBEOStore((s) => s.initializeEchoIntegration);
  const update = useBEOStore((s) => s.updateEchoIntegration);
  const [draft, setDraft] = useState<Draft>(() => fromConfig(config));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const isNew = config === null;

  useEffect(() => setDraft(fromConfig(config)), [config]);

  const set = (key: keyof Draft) => (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value });
  const interval = Number(draft.syncInterval);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setFormError(null);
    const common = {
      echoCrmApiUrl: draft.echoCrmApiUrl.trim(),
      maestroApiUrl: draft.maestroApiUrl.trim(),
      syncDirection: draft.syncDirection as ConfigurationPatch["syncDirection"],
      autoSync: draft.autoSync,
      syncInterval: Number.isInteger(interval) ? interval : Number.NaN,
      conflictResolution: draft.conflictResolution as ConfigurationPatch["conflictResolution"],
    };
    const secretValues = Object.fromEntries(secrets.filter((k) => draft[k] !== "").map((k) => [k, draft[k]]));
    const body = isNew
      ? { organizationId, ...common, ...secretValues }
      : { ...common, ...secretValues, enabled: draft.enabled };
    const parsed = isNew ? syncConfigurationSchema.safeParse(body) : syncConfigurationPatchSchema.safeParse(body);
    if (!parsed.success) {
      setErrors(issuesByPath(parsed.error.issues));
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      if (isNew) await initialize(parsed.data as Parameters<typeof initialize>[0]);
      else await update(parsed.data as ConfigurationPatch);
      toast.success(isNew ? "Integration initialized; the first sync is running" : "Configuration saved");
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) setErrors(error.fieldErrors());
      setFormError(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  const secretHint = (key: (typeof secrets)[number]) =>
    isNew
      ? undefined
      : config?.[key]
        ? `Stored (${config[key]}). Leave empty to keep it.`
        : "Leave empty to keep the stored value.";

  return (
    <form className="card config-form" onSubmit={onSubmit} noValidate aria-labelledby="config-heading">
      <h2 id="config-heading">{isNew ? "Connect Echo CRM" : "Configuration"}</h2>
      {isNew && (
        <p className="muted">The integration is not set up yet. Maestro checks the connection before saving.</p>
      )}
      <fieldset className="form-grid">
        <legend>Connection</legend>
        <TextField
          className="span-2"
          label="Echo CRM API URL"
          type="url"
          value={draft.echoCrmApiUrl}
          onChange={set("echoCrmApiUrl")}
          error={errors.echoCrmApiUrl}
          placeholder="https://api.echocrm.com/v1"
        />
        <TextField
          label="Echo CRM API key"
          type="password"
          autoComplete="new-password"
          value={draft.echoCrmApiKey}
          onChange={set("echoCrmApiKey")}
          error={errors.echoCrmApiKey}
          hint={secretHint("echoCrmApiKey")}
        />
        <TextField
          label="Webhook secret"
          type="password"
          autoComplete="new-password"
          value={draft.webhookSecret}
          onChange={set("webhookSecret")}
          error={errors.webhookSecret}
          hint={secretHint("webhookSecret") ?? "At least 8 characters; whsec_… accepted"}
        />
        <TextField
          label="Maestro public URL"
          type="url"
          value={draft.maestroApiUrl}
          onChange={set("maestroApiUrl")}
          error={errors.maestroApiUrl}
          hint="Echo sends webhooks to this URL + /api/echo-integration/webhooks/echo-crm"
        />
        <TextField
          label="Maestro API key for Echo"
          type="password"
          autoComplete="new-password"
          value={draft.maestroApiKey}
          onChange={set("maestroApiKey")}
          error={errors.maestroApiKey}
          hint={secretHint("maestroApiKey")}
        />
      </fieldset>
      <fieldset className="form-grid">
        <legend>Sync behaviour</legend>
        <SelectField
          label="Sync direction"
          value={draft.syncDirection}
          onChange={set("syncDirection")}
          error={errors.syncDirection}
        >
          {syncDirections.map((d) => (
            <option key={d} value={d}>
              {humanize(d).replace(" to ", " → ")}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Conflict resolution"
          value={draft.conflictResolution}
          onChange={set("conflictResolution")}
          error={errors.conflictResolution}
        >
          {conflictPolicies.map((p) => (
            <option key={p} value={p}>
              {humanize(p)}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Sync interval (minutes)"
          type="number"
          min={1}
          max={1440}
          value={draft.syncInterval}
          onChange={set("syncInterval")}
          error={errors.syncInterval}
        />
        <div className="checkbox-stack">
          <label className="checkbox">
            <input
              type="checkbox"
              checked={draft.autoSync}
              onChange={(e) => setDraft({ ...draft, autoSync: e.target.checked })}
            />
            Automatic reconciliation
          </label>
          {!isNew && (
            <label className="checkbox">
              <input
                type="checkbox"
                checked={draft.enabled}
                onChange={(e) => setDraft({ ...draft, enabled: e.target.checked })}
              />
              Integration enabled
            </label>
          )}
        </div>
      </fieldset>
      {formError && (
        <p className="form-error" role="alert">
          {formError}
        </p>
      )}
      <div className="form-actions">
        <button
          type="button"
          className="button button-ghost"
          onClick={() => {
            setDraft(fromConfig(config));
            setErrors({});
            setFormError(null);
          }}
          disabled={busy}
        >
          Reset
        </button>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? "Checking connection…" : isNew ? "Connect and start sync" : "Save configuration"}
        </button>
      </div>
    </form>
  );
}
