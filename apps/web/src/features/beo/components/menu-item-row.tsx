import { useState } from "react";
import type { MenuItemDraft } from "../hooks/beo-draft";

// Common kitchen marks; any other mark can be added as free text.
export const dietaryMarks = [
  "vegetarian",
  "vegan",
  "gluten-free",
  "dairy-free",
  "nut-free",
  "halal",
  "kosher",
  "shellfish",
];

type Props = {
  item: MenuItemDraft;
  index: number;
  count: number;
  disabled: boolean;
  autoFocus: boolean;
  errors: Record<string, string>;
  onChange: (item: MenuItemDraft) => void;
  onRemove: () => void;
  onMove: (delta: -1 | 1) => void;
};

export function MenuItemRow({ item, index, count, disabled, autoFocus, errors, onChange, onRemove, onMove }: Props) {
  const [custom, setCustom] = useState("");
  const n = index + 1;
  const nameError = errors[`menu.items.${index}.name`];
  const qtyError = errors[`menu.items.${index}.quantity`];
  const marks = [...dietaryMarks, ...item.dietary.filter((d) => !dietaryMarks.includes(d))];

  const toggle = (mark: string) =>
    onChange({
      ...item,
      dietary: item.dietary.includes(mark) ? item.dietary.filter((d) => d !== mark) : [...item.dietary, mark],
    });
  const addCustom = () => {
    const mark = custom.trim().toLowerCase();
    if (mark && !item.dietary.includes(mark)) onChange({ ...item, dietary: [...item.dietary, mark] });
    setCustom("");
  };

  return (
    <li className="menu-item">
      <div className="menu-item-main">
        <div className={`field ${nameError ? "field-invalid" : ""}`}>
          <label htmlFor={`item-${item.key}-name`}>Item {n} name</label>
          <input
            id={`item-${item.key}-name`}
            value={item.name}
            disabled={disabled}
            autoFocus={autoFocus}
            aria-invalid={nameError ? true : undefined}
            aria-describedby={nameError ? `item-${item.key}-name-error` : undefined}
            onChange={(e) => onChange({ ...item, name: e.target.value })}
          />
          {nameError && (
            <p id={`item-${item.key}-name-error`} className="field-error">
              {nameError}
            </p>
          )}
        </div>
        <div className={`field field-qty ${qtyError ? "field-invalid" : ""}`}>
          <label htmlFor={`item-${item.key}-qty`}>Quantity</label>
          <input
            id={`item-${item.key}-qty`}
            inputMode="numeric"
            value={item.quantity}
            disabled={disabled}
            aria-invalid={qtyError ? true : undefined}
            aria-describedby={qtyError ? `item-${item.key}-qty-error` : undefined}
            onChange={(e) => onChange({ ...item, quantity: e.target.value })}
          />
          {qtyError && (
            <p id={`item-${item.key}-qty-error`} className="field-error">
              {qtyError}
            </p>
          )}
        </div>
        {!disabled && (
          <div className="menu-item-actions">
            <button
              type="button"
              className="icon-button bordered"
              aria-label={`Move item ${n} up`}
              disabled={index === 0}
              onClick={() => onMove(-1)}
            >
              ↑
            </button>
            <button
              type="button"
              className="icon-button bordered"
              aria-label={`Move item ${n} down`}
              disabled={index === count - 1}
              onClick={() => onMove(1)}
            >
              ↓
            </button>
            <button
              type="button"
              className="button button-ghost button-danger"
              aria-label={`Remove item ${n}`}
              onClick={onRemove}
            >
              Remove
            </button>
          </div>
        )}
      </div>
      <fieldset className="dietary" disabled={disabled}>
        <legend>Dietary marks for item {n}</legend>
        <div className="chip-group">
          {marks.map((mark) => (
            <label key={mark} className={`chip ${item.dietary.includes(mark) ? "chip-on" : ""}`}>
              <input type="checkbox" checked={item.dietary.includes(mark)} onChange={() => toggle(mark)} />
              {mark}
            </label>
          ))}
          {!disabled && (
            <span className="chip-add">
              <input
                aria-label={`Other dietary mark for item ${n}`}
                placeholder="Other mark"
                value={custom}
                onChange={(e) => setCustom(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === "Enter") {
                    e.preventDefault();
                    addCustom();
                  }
                }}
              />
              <button type="button" className="button button-small" onClick={addCustom} disabled={!custom.trim()}>
                Add
              </button>
            </span>
          )}
        </div>
      </fieldset>
    </li>
  );
}
