import { z } from "zod";
import {
  addMember,
  addMemberSchema,
  changeMemberRole,
  changeRoleSchema,
  createOrganization,
  createOrganizationSchema,
  DEFAULT_MEMBER_SORT,
  DEFAULT_ORGANIZATION_SORT,
  getOrganizationMember,
  getOrganizationOverview,
  listManagedOrganizations,
  listOrganizationMembers,
  MEMBER_SORTS,
  type MemberSummary,
  ORGANIZATION_SORTS,
  removeMember,
  requireManagedOrganization,
} from "@/lib/domain/organizations";
import { ROLES } from "@/lib/domain/permissions";
import { defineOperation, reply } from "../operation";
import { listQuery, pageOf, paged, timestamp } from "../schemas";

/**
 * Organizations as API Management shows them on /manage and /manage/{org}: the list, creation,
 * the overview, and the Members tab. Organizations the user may not view answer 404.
 */

const role = z.enum(ROLES as [string, ...string[]]);

const managedOrganization = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    role: role.nullable().meta({ description: "Your role; null for an admin who is not a member." }),
    apiCount: z.number().int(),
    planCount: z.number().int(),
    clientCount: z.number().int(),
    memberCount: z.number().int(),
  })
  .meta({ id: "ManagedOrganization" });

export const listOrganizations = defineOperation({
  method: "GET",
  path: "/orgs",
  id: "listOrganizations",
  tag: "Organizations",
  summary: "The organizations you manage (every one for an admin)",
  description: "Empty for portal users, who have no API Management.",
  scope: "read",
  paged: true,
  query: listQuery({ sortable: ORGANIZATION_SORTS, defaultSort: DEFAULT_ORGANIZATION_SORT }),
  response: pageOf(managedOrganization),
  handler: async ({ db, actor, url, query }) => {
    const { rows, total } = await listManagedOrganizations(db, actor, query);
    return paged(url, query, rows, total);
  },
});

const organization = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    createdAt: timestamp,
  })
  .meta({ id: "Organization" });

const organizationLocation = (slug: string) => `/api/v1/orgs/${encodeURIComponent(slug)}`;

export const createOrganizationOperation = defineOperation({
  method: "POST",
  path: "/orgs",
  id: "createOrganization",
  tag: "Organizations",
  summary: "Create an organization; you become its owner",
  description: "Managers and admins may create organizations.",
  scope: "write",
  status: 201,
  errors: ["forbidden", "slug_taken"],
  body: createOrganizationSchema,
  response: organization,
  handler: async ({ db, actor, body }) => {
    const org = await createOrganization(db, actor, body);
    const { id, slug, name, description, createdAt } = org;
    return reply({ id, slug, name, description, createdAt }, { status: 201, headers: { location: organizationLocation(slug) } });
  },
});

export const getOrganizationOperation = defineOperation({
  method: "GET",
  path: "/orgs/{org}",
  id: "getOrganization",
  tag: "Organizations",
  summary: "An organization's overview: your role and what you may do there",
  scope: "read",
  errors: ["not_found"],
  response: z
    .object({
      id: z.uuid(),
      slug: z.string(),
      name: z.string(),
      description: z.string(),
      createdAt: timestamp,
      role: role.nullable().meta({ description: "Your role; null for an admin who is not a member." }),
      can: z
        .object({
          orgAdmin: z.boolean(),
          apiView: z.boolean(),
          apiEdit: z.boolean(),
          apiAdmin: z.boolean(),
          planView: z.boolean(),
          planEdit: z.boolean(),
          planAdmin: z.boolean(),
          clientView: z.boolean(),
          clientEdit: z.boolean(),
          clientAdmin: z.boolean(),
        })
        .meta({ description: "What your role lets you do in this organization." }),
    })
    .meta({ id: "OrganizationOverview" }),
  handler: async ({ db, actor, params }) => {
    const { org, can, role } = await getOrganizationOverview(db, actor, params.org);
    return { id: org.id, slug: org.slug, name: org.name, description: org.description, createdAt: org.createdAt, role, can };
  },
});

const member = z
  .object({
    userId: z.uuid(),
    name: z.string(),
    email: z.string(),
    role,
    since: timestamp.meta({ description: "When they joined the organization." }),
  })
  .meta({ id: "Member" });

const memberOf = ({ userId, name, email, role, since }: MemberSummary) => ({ userId, name, email, role, since });

export const listMembers = defineOperation({
  method: "GET",
  path: "/orgs/{org}/members",
  id: "listMembers",
  tag: "Organizations",
  summary: "The organization's members and their roles",
  scope: "read",
  paged: true,
  errors: ["not_found"],
  query: listQuery({ sortable: MEMBER_SORTS, defaultSort: DEFAULT_MEMBER_SORT }),
  response: pageOf(member),
  handler: async ({ db, actor, url, params, query }) => {
    const org = await requireManagedOrganization(db, actor, params.org);
    const { rows, total } = await listOrganizationMembers(db, actor, org.id, query);
    return paged(url, query, rows.map(memberOf), total);
  },
});

const memberLocation = (orgSlug: string, userId: string) => `${organizationLocation(orgSlug)}/members/${userId}`;

export const addMemberOperation = defineOperation({
  method: "POST",
  path: "/orgs/{org}/members",
  id: "addMember",
  tag: "Organizations",
  summary: "Add a registered user to the organization by email, with a role",
  description: "Needs the owner role (or admin).",
  scope: "write",
  status: 201,
  errors: ["not_found", "forbidden", "user_not_found", "invalid_state"],
  body: addMemberSchema.omit({ orgId: true }),
  response: member,
  handler: async ({ db, actor, params, body }) => {
    const org = await requireManagedOrganization(db, actor, params.org);
    const added = await addMember(db, actor, { ...body, orgId: org.id });
    return reply(memberOf(added), { status: 201, headers: { location: memberLocation(org.slug, added.userId) } });
  },
});

export const getMember = defineOperation({
  method: "GET",
  path: "/orgs/{org}/members/{userId}",
  id: "getMember",
  tag: "Organizations",
  summary: "One member of the organization",
  scope: "read",
  errors: ["not_found"],
  response: member,
  handler: async ({ db, actor, params }) => {
    const org = await requireManagedOrganization(db, actor, params.org);
    return memberOf(await getOrganizationMember(db, actor, org.id, params.userId));
  },
});

export const changeMemberRoleOperation = defineOperation({
  method: "PATCH",
  path: "/orgs/{org}/members/{userId}",
  id: "changeMemberRole",
  tag: "Organizations",
  summary: "Change a member's role",
  description: "Needs the owner role (or admin). The last owner cannot be demoted (409 last_owner).",
  scope: "write",
  errors: ["not_found", "forbidden", "last_owner"],
  body: changeRoleSchema.pick({ role: true }),
  response: member,
  handler: async ({ db, actor, params, body }) => {
    const org = await requireManagedOrganization(db, actor, params.org);
    // The domain answers a malformed id as validation_failed; in a path it names no member.
    const current = await getOrganizationMember(db, actor, org.id, params.userId);
    await changeMemberRole(db, actor, { orgId: org.id, userId: current.userId, role: body.role });
    return memberOf(await getOrganizationMember(db, actor, org.id, current.userId));
  },
});

export const removeMemberOperation = defineOperation({
  method: "DELETE",
  path: "/orgs/{org}/members/{userId}",
  id: "removeMember",
  tag: "Organizations",
  summary: "Remove a member from the organization",
  description: "Needs the owner role (or admin). The last owner cannot be removed (409 last_owner).",
  scope: "write",
  errors: ["not_found", "forbidden", "last_owner"],
  handler: async ({ db, actor, params }) => {
    const org = await requireManagedOrganization(db, actor, params.org);
    const current = await getOrganizationMember(db, actor, org.id, params.userId);
    await removeMember(db, actor, { orgId: org.id, userId: current.userId });
  },
});

export const organizationsOperations = [
  listOrganizations,
  createOrganizationOperation,
  getOrganizationOperation,
  listMembers,
  addMemberOperation,
  getMember,
  changeMemberRoleOperation,
  removeMemberOperation,
];
