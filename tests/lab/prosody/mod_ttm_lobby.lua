-- A stand-in for Jitsi's lobby on Debian's prosody, for ttymeet's lab tests (written for
-- ttymeet from the wire format that jitsi-meet's mod_muc_lobby_rooms.lua and
-- mod_muc_wait_for_host.lua produce; no code of theirs). Loaded on the main MUC component
-- (start_prosody(lobby=True) in tests/lab/lab.py).
--
-- A members-only room (muc#roomconfig_membersonly, set by a moderator) refuses an occupant
-- with no affiliation as Jitsi's lobby does: a presence error type 'auth' code 407 with
-- <registration-required/>, <lobbyroom xmlns='http://jitsi.org/jitmeet'>ROOM@LOBBY</lobbyroom>
-- (and the legacy un-namespaced <lobbyroom>), for rooms named in ttm_lobby_wait_rooms also
-- <waiting-for-host xmlns='http://jitsi.org/jitmeet'/> (mod_muc_wait_for_host's reason), and
-- <x xmlns='http://jabber.org/protocol/muc'/>. The focus (nick 'focus') is never refused.
--
-- The rest is prosody's own: the lobby room is a plain room on the lobby MUC component (the
-- test's moderator creates it first, so it owns it: it sees who knocks and can kick them,
-- which Jitsi's clients read as "denied"); a mediated invite from an owner to a members-only
-- room makes the invitee a member (prosody's members_only.lib), which is how Jitsi admits;
-- destroying the lobby room with the main room as alternate venue is how
-- mod_muc_wait_for_host sends the waiting ones in when the host arrives.

local st = require "util.stanza";
local jid = require "util.jid";

local lobby_muc = module:get_option_string("ttm_lobby_muc");
local wait_rooms = module:get_option_set("ttm_lobby_wait_rooms", {});
local JITMEET = "http://jitsi.org/jitmeet";

module:hook("muc-occupant-pre-join", function(event)
	local room, stanza = event.room, event.stanza;
	if not room:get_members_only() or jid.resource(stanza.attr.to) == "focus" then
		return;
	end
	local affiliation = room:get_affiliation(stanza.attr.from);
	if affiliation and affiliation ~= "none" then
		return;
	end
	local node = jid.node(room.jid);
	local reply = st.error_reply(stanza, "auth", "registration-required");
	reply.tags[1].attr.code = "407";
	if wait_rooms:contains(node) then
		reply:tag("waiting-for-host", { xmlns = JITMEET }):up();
	end
	reply:tag("lobbyroom", { xmlns = JITMEET }):text(node .. "@" .. lobby_muc):up();
	reply:tag("lobbyroom"):text(node .. "@" .. lobby_muc):up():up();
	event.origin.send(reply:tag("x", { xmlns = "http://jabber.org/protocol/muc" }));
	module:log("info", "%s knocks: refused into the lobby of %s", stanza.attr.from, room.jid);
	return true;
end, -4); -- before prosody's own members-only check (-5)
