import { type Context, Hono } from "hono";
import { snakeCaseKeys } from "../../edge/input-keys.js";
import { readJsonBody } from "../../edge/read-json-body.js";
import { parseWith } from "../../edge/zod-issues.js";
import type { GatewayEnv } from "../principal.js";
import type { TeamInvitationService } from "./team-invitation-service.js";
import {
  emailField,
  teamCreateSchema,
  teamInviteSchema,
  teamJoinSchema,
  teamListQuerySchema,
  teamMemberUpdateSchema,
  teamUpdateSchema,
} from "./team-schema.js";
import type { TeamService } from "./team-service.js";

type Ctx = Context<GatewayEnv>;

const body = async (c: Ctx): Promise<unknown> => snakeCaseKeys(await readJsonBody(c));
const success = (c: Ctx, message: string): Response => c.json({ success: true, message });
const memberEmail = (c: Ctx): string => parseWith(emailField, c.req.param("email"), ["path", "email"]);

/**
 * `/teams`: ContextForge's team, membership and invitation routes. Static paths (`/discover`,
 * `/invitations/...`) are registered before `/{id}` so no team id captures them.
 */
export function createTeamRoutes(teams: TeamService, invitations: TeamInvitationService): Hono<GatewayEnv> {
  const router = new Hono<GatewayEnv>();

  router.get("/discover", async (c) => {
    const query = parseWith(teamListQuerySchema, c.req.query(), ["query"]);
    return c.json(await teams.discover(c.get("principal"), query));
  });

  router.post("/invitations/:token/accept", async (c) =>
    c.json(await invitations.accept(c.get("principal"), c.req.param("token"))),
  );

  router.delete("/invitations/:invitationId", async (c) => {
    await invitations.cancel(c.get("principal"), c.req.param("invitationId"));
    return success(c, "Team invitation cancelled successfully");
  });

  router.post("/", async (c) => {
    const input = parseWith(teamCreateSchema, await body(c), ["body"]);
    return c.json(await teams.create(c.get("principal"), input), 201);
  });

  router.get("/", async (c) => {
    const query = parseWith(teamListQuerySchema, c.req.query(), ["query"]);
    return c.json(await teams.list(c.get("principal"), query));
  });

  router.get("/:id", async (c) => c.json(await teams.get(c.get("principal"), c.req.param("id"))));

  router.put("/:id", async (c) => {
    const input = parseWith(teamUpdateSchema, await body(c), ["body"]);
    return c.json(await teams.update(c.get("principal"), c.req.param("id"), input));
  });

  router.delete("/:id", async (c) => {
    await teams.delete(c.get("principal"), c.req.param("id"));
    return success(c, "Team deleted successfully");
  });

  router.get("/:id/members", async (c) => c.json(await teams.members(c.get("principal"), c.req.param("id"))));

  router.put("/:id/members/:email", async (c) => {
    const email = memberEmail(c);
    const { role } = parseWith(teamMemberUpdateSchema, await body(c), ["body"]);
    return c.json(await teams.setMemberRole(c.get("principal"), c.req.param("id"), email, role));
  });

  router.delete("/:id/members/:email", async (c) => {
    await teams.removeMember(c.get("principal"), c.req.param("id"), memberEmail(c));
    return success(c, "Team member removed successfully");
  });

  // ContextForge spells it DELETE; POST is accepted too.
  const leave = async (c: Ctx): Promise<Response> => {
    await teams.leave(c.get("principal"), c.req.param("id") ?? "");
    return success(c, "Successfully left the team");
  };
  router.delete("/:id/leave", leave);
  router.post("/:id/leave", leave);

  // A public team is joined at once, as a member: there is no join-request queue to approve.
  router.post("/:id/join", async (c) => {
    if (c.req.header("content-type")) parseWith(teamJoinSchema, await body(c), ["body"]);
    return c.json(await teams.join(c.get("principal"), c.req.param("id")));
  });

  router.post("/:id/invitations", async (c) => {
    const input = parseWith(teamInviteSchema, await body(c), ["body"]);
    return c.json(await invitations.invite(c.get("principal"), c.req.param("id"), input), 201);
  });

  router.get("/:id/invitations", async (c) =>
    c.json(await invitations.list(c.get("principal"), c.req.param("id"))),
  );

  return router;
}
