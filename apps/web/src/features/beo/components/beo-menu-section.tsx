import { useState } from "react";
import { TextAreaField } from "../../../components/field";
import { PlusIcon } from "../../../components/icons";
import { newItemKey, type BeoDraft, type MenuItemDraft } from "../hooks/beo-draft";
import { fieldProps, type FieldState } from "./beo-field-state";
import { MenuItemRow } from "./menu-item-row";

type Props = {
  draft: BeoDraft;
  onChange: (draft: BeoDraft) => void;
  state: FieldState;
};

export function BeoMenuSection({ draft, onChange, state }: Props) {
  const itemsState = fieldProps(state, "menu.items");
  const [focusKey, setFocusKey] = useState<string | null>(null);
  const setItems = (items: MenuItemDraft[]) => onChange({ ...draft, menu: { ...draft.menu, items } });
  const items = draft.menu.items;

  const update = (index: number, item: MenuItemDraft) => setItems(items.map((it, i) => (i === index ? item : it)));
  const remove = (index: number) => setItems(items.filter((_, i) => i !== index));
  const move = (index: number, delta: -1 | 1) => {
    const next = [...items];
    const [it] = next.splice(index, 1);
    next.splice(index + delta, 0, it!);
    setItems(next);
  };
  const add = () => {
    const key = newItemKey();
    setFocusKey(key);
    setItems([...items, { key, name: "", quantity: "", dietary: [] }]);
  };

  return (
    <section
      className={`card beo-section ${itemsState.highlight ? "section-changed" : ""}`}
      aria-labelledby="beo-menu-heading"
    >
      <div className="section-heading">
        <h2 id="beo-menu-heading">Menu</h2>
        {itemsState.highlight && <span className="changed-tag">Changed since approval</span>}
        {state.frozen.has("menu.items") && <span className="frozen-tag">Frozen</span>}
      </div>
      {items.length === 0 ? (
        <p className="muted">No menu items yet.</p>
      ) : (
        <ol className="menu-items">
          {items.map((item, index) => (
            <MenuItemRow
              key={item.key}
              item={item}
              index={index}
              count={items.length}
              disabled={itemsState.disabled}
              autoFocus={item.key === focusKey}
              errors={state.errors}
              onChange={(next) => update(index, next)}
              onRemove={() => remove(index)}
              onMove={(delta) => move(index, delta)}
            />
          ))}
        </ol>
      )}
      {!itemsState.disabled && (
        <button type="button" className="button" onClick={add}>
          <PlusIcon /> Add menu item
        </button>
      )}
      <TextAreaField
        label="Special instructions"
        rows={4}
        value={draft.menu.specialInstructions}
        onChange={(e) => onChange({ ...draft, menu: { ...draft.menu, specialInstructions: e.target.value } })}
        {...fieldProps(state, "menu.specialInstructions")}
      />
    </section>
  );
}
