import { BoltIcon } from "./icons";

// The Echo CRM marker. Its accessible name is fixed by CONTRACT §4b.
export function EchoIcon({ size = 14 }: { size?: number }) {
  return (
    <span className="echo-icon" role="img" aria-label="From Echo CRM" title="From Echo CRM">
      <BoltIcon size={size} />
    </span>
  );
}
