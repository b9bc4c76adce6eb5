import itertools

from sqlalchemy import select, update

from portal.activity.models import ActivityEvent
from portal.extensions import db
from portal.ideas.models import Idea, IdeaStatus, IdeaVote
from portal.ideas.services import cast_vote, follow, merge_ideas
from tests.conftest import login
from tests.ideas.helpers import follower_ids, fresh, notifications, recount, voter_ids


def test_merge_moves_voters_once_and_followers(client, make_user, make_idea):
    source_author, target_author = make_user(), make_user()
    both, only_source, only_follower = make_user(), make_user(), make_user()
    source = make_idea(source_author, title="Export to xlsx")
    target = make_idea(target_author, title="Excel export for reports", imported_votes=5)
    cast_vote(fresh(source.id), both)
    cast_vote(fresh(target.id), both)
    cast_vote(fresh(source.id), only_source)
    follow(fresh(source.id), only_follower)
    db.session.commit()
    staff = make_user("staff")
    login(client, staff)

    response = client.post(f"/ideas/{source.id}/merge", data={"merge-target": f"#{target.id}"})
    assert response.status_code == 302 and response.location == f"/ideas/{target.id}"

    source, target = fresh(source.id), fresh(target.id)
    assert source.status == IdeaStatus.MERGED and source.merged_into_id == target.id
    assert voter_ids(target.id) == {target_author.id, both.id, source_author.id, only_source.id}
    assert target.vote_count == 4 == recount(target.id), "a person who voted for both counts once"
    assert target.votes == 9
    assert source.vote_count == 0 == recount(source.id)
    assert {only_follower.id, source_author.id, both.id} <= follower_ids(target.id)
    told = {n.user_id for n in notifications("idea.merged")}
    assert told == {source_author.id, both.id, only_source.id}
    event = db.session.execute(
        select(ActivityEvent).where(ActivityEvent.kind == "idea.merged")
    ).scalar_one()
    assert event.data["target_id"] == target.id

    response = client.get(f"/ideas/{source.id}")
    assert response.status_code == 302
    assert response.location == f"/ideas/{target.id}?merged_from={source.id}"
    html = client.get(response.location).get_data(as_text=True)
    assert "which was merged into this idea" in html and "Merged from" in html
    original = client.get(f"/ideas/{source.id}?original=1").get_data(as_text=True)
    assert "It is read-only." in original and "Comments are closed" in original


def test_merge_accepts_a_pasted_link(client, make_user, make_idea):
    source, target = make_idea(), make_idea()
    login(client, make_user("product"))
    client.post(
        f"/ideas/{source.id}/merge",
        data={"merge-target": f"http://localhost/ideas/{target.id}?merged_from=1"},
    )
    assert fresh(source.id).merged_into_id == target.id


def test_merge_refuses_itself_merged_targets_and_unknown_ideas(client, make_user, make_idea):
    a, b, c = make_idea(), make_idea(), make_idea()
    login(client, make_user("staff"))
    html = client.post(f"/ideas/{a.id}/merge", data={"merge-target": str(a.id)}).get_data(
        as_text=True
    )
    assert "An idea cannot be merged into itself." in html
    client.post(f"/ideas/{b.id}/merge", data={"merge-target": str(c.id)})
    html = client.post(f"/ideas/{a.id}/merge", data={"merge-target": str(b.id)}).get_data(
        as_text=True
    )
    assert f"was itself merged. Merge into #{c.id}" in html
    html = client.post(f"/ideas/{a.id}/merge", data={"merge-target": "99999"}).get_data(
        as_text=True
    )
    assert "There is no idea #99999." in html
    html = client.post(f"/ideas/{a.id}/merge", data={"merge-target": "soon"}).get_data(as_text=True)
    assert "Enter an idea number like #42" in html
    assert fresh(a.id).status == IdeaStatus.NEW and fresh(a.id).vote_count == 1


def test_members_cannot_merge(client, make_user, make_idea):
    author = make_user()
    source, target = make_idea(author), make_idea()
    login(client, author)
    response = client.post(f"/ideas/{source.id}/merge", data={"merge-target": str(target.id)})
    assert response.status_code == 403
    assert fresh(source.id).status == IdeaStatus.NEW


def test_merged_ideas_take_no_comments_or_status_changes(client, make_user, make_idea):
    source, target = make_idea(), make_idea()
    staff = make_user("staff")
    merge_ideas(fresh(source.id), fresh(target.id), by=staff)
    db.session.commit()
    login(client, staff)
    html = client.post(f"/ideas/{source.id}/comments", data={"comment-body": "Hello"}).get_data(
        as_text=True
    )
    assert "read-only" in html
    html = client.post(f"/ideas/{source.id}/status", data={"status-status": "planned"}).get_data(
        as_text=True
    )
    assert "read-only" in html
    assert fresh(source.id).status == IdeaStatus.MERGED and fresh(source.id).comment_count == 0


def _merge_by_hand(source_id: int, target_id: int) -> None:
    """What a second merge did when it checked before it waited for the first: no checks, no
    repointing of ideas merged into the source."""
    db.session.execute(
        update(Idea)
        .where(Idea.id == source_id)
        .values(status=IdeaStatus.MERGED, merged_into_id=target_id)
    )
    db.session.execute(
        update(IdeaVote).where(IdeaVote.idea_id == source_id).values(idea_id=target_id)
    )
    db.session.commit()


def test_merging_an_idea_that_others_were_merged_into_repoints_them(client, make_user, make_idea):
    first, second, final = make_idea(), make_idea(), make_idea()
    login(client, make_user("staff"))
    client.post(f"/ideas/{first.id}/merge", data={"merge-target": str(second.id)})
    client.post(f"/ideas/{second.id}/merge", data={"merge-target": str(final.id)})

    assert fresh(first.id).merged_into_id == final.id == fresh(second.id).merged_into_id
    assert voter_ids(final.id) == {first.author_id, second.author_id, final.author_id}
    response = client.get(f"/ideas/{first.id}")
    assert response.location == f"/ideas/{final.id}?merged_from={first.id}"


def test_the_page_of_an_idea_in_a_merge_cycle_or_chain_never_redirects_forever(
    client, make_user, make_idea
):
    a, b = make_idea(), make_idea()
    c, d, e = make_idea(), make_idea(), make_idea()
    merge_ideas(fresh(a.id), fresh(b.id), by=make_user("staff"))
    db.session.commit()
    _merge_by_hand(b.id, a.id)
    merge_ideas(fresh(c.id), fresh(d.id), by=make_user("staff"))
    db.session.commit()
    _merge_by_hand(d.id, e.id)

    for idea_id in (a.id, b.id):
        response = client.get(f"/ideas/{idea_id}")
        assert response.status_code == 200
        assert "This idea was merged" in response.get_data(as_text=True)
    # A chain is followed to its end in one redirect.
    response = client.get(f"/ideas/{c.id}")
    assert response.location == f"/ideas/{e.id}?merged_from={c.id}"
    assert client.get(response.location).status_code == 200


def test_a_merged_idea_follows_up_to_max_hops_to_the_open_end(make_idea):
    from portal.ideas.queries import MAX_MERGE_HOPS, merge_destination

    ideas = [make_idea().id for _ in range(MAX_MERGE_HOPS + 2)]
    for source_id, target_id in itertools.pairwise(ideas):
        _merge_by_hand(source_id, target_id)
    # Exactly MAX_MERGE_HOPS merges from the second idea to the open one: followed to the end.
    assert merge_destination(fresh(ideas[1])).id == ideas[-1]
    # One more hop from the first: its own page shows instead.
    assert merge_destination(fresh(ideas[0])) is None
