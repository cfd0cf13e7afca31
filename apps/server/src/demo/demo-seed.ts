import type { MaestroApp } from "../app.ts";
import { ensureDemoUsers } from "../bootstrap.ts";
import { DEMO_ROOMS, DEMO_VENUE_NAME, demoBookings } from "./demo-venue.ts";

// Demo data for `npm start`, added once: a second start finds it and leaves it.
export async function seedDemo(maestro: MaestroApp, password: string): Promise<{ orgId: string }> {
  const { orgs, rooms, beos, beoRepo } = maestro.services;
  const org = await orgs.ensure("demo", DEMO_VENUE_NAME);
  await ensureDemoUsers(maestro, org.id, password);
  for (const room of DEMO_ROOMS) {
    if (!(await rooms.exists(org.id, room.name))) await rooms.create(org.id, room);
  }
  const existing = await beoRepo.list(org.id, { limit: 1 });
  if (existing.rows.length > 0) return { orgId: org.id };
  const ops = { orgId: org.id, actor: "ops@demo.test" };
  const chef = { orgId: org.id, actor: "chef@demo.test" };
  for (const booking of demoBookings()) {
    const beo = await beos.createFromDocument(ops, booking.body);
    await maestro.services.calendarRepo.update(org.id, beo.calendarEventId, { status: booking.status });
    if (booking.approve) await beos.approve(chef, beo.id);
    if (booking.submit) await beos.patch(ops, beo.id, { status: "pending_approval" });
  }
  return { orgId: org.id };
}
