// What the editor needs to know about one field beyond its value.
export type FieldState = {
  errors: Record<string, string>;
  changed: Set<string>;
  frozen: Set<string>;
  readOnly: boolean;
};

export function fieldProps(state: FieldState, path: string) {
  const frozen = state.frozen.has(path);
  return {
    error: state.errors[path],
    highlight: state.changed.has(path),
    disabled: state.readOnly || frozen,
    hint: frozen ? "Frozen by an open conflict with Echo CRM" : undefined,
  };
}
