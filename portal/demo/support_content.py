"""The demo's support questions: what Acme customers really ask, with believable answers."""

# Each question: area slug, asker key, days ago, title, body, tags, answers, comments.
# An answer: (author key, body, accepted). A comment: (target, author key, text), where target
# is "q" for the question or the index of an answer.
QUESTIONS = [
    {
        "area": "mobile-app",
        "asker": "member",
        "days": 2,
        "title": "iOS app stops syncing when the phone has been locked for a while",
        "body": (
            "Since updating to **Acme 5.4** on iOS 18, changes I make on my laptop only show up "
            "on my iPhone after I force-quit and reopen the app. If I leave the phone locked for "
            "more than ~20 minutes, the app shows stale data until a restart.\n\n"
            "- iPhone 14, iOS 18.1\n- Acme 5.4.0 (build 812)\n- Background App Refresh is on\n\n"
            "Is there a setting I'm missing, or is this a known issue?"
        ),
        "tags": ["ios", "sync", "background-refresh"],
        "answers": [
            (
                "staff",
                "Thanks for the detail, Casey. This is usually **Low Power Mode**: iOS pauses "
                "background refresh while it is on, so Acme can't fetch changes until you open "
                "it.\n\n1. Open *Settings → Battery* and turn off Low Power Mode.\n"
                "2. In *Settings → Acme*, check that **Background App Refresh** is on.\n"
                "3. Pull down on the Home tab once to resync.\n\n"
                "If it still happens with Low Power Mode off, send us the sync log from "
                "*Acme → Settings → Help → Share diagnostics* and we'll dig in.",
                True,
            ),
            (
                "m4",
                "Same here on 5.4. Turning off Low Power Mode fixed it for me, but I also had to "
                "re-enable notifications for Acme after the update — silent pushes are what "
                "wake the app.",
                False,
            ),
        ],
        "comments": [
            ("q", "m6", "Seeing this on an iPad too, so it's not just phones."),
            (0, "member", "That was it — Low Power Mode had turned itself on. Thanks, Sam!"),
        ],
    },
    {
        "area": "billing",
        "asker": "m2",
        "days": 5,
        "title": "Invoice shows the old VAT number after changing our billing country",
        "body": (
            "We moved our company registration from Spain to Germany and updated the billing "
            "country and VAT ID in *Billing → Company details*. The next invoice still shows the "
            "old `ESB12345678` number and Spanish VAT.\n\nHow do we get a corrected invoice, and "
            "will future invoices pick up the new details?"
        ),
        "tags": ["invoices", "vat", "tax"],
        "answers": [
            (
                "staff2",
                "Invoices are generated when the billing period closes, using the company details "
                "saved at that moment — so the invoice dated before your change keeps the old VAT "
                "ID. Future invoices use the new one.\n\nFor the existing invoice, reply to the "
                "invoice email or open a ticket with the invoice number and we'll issue a "
                "**credit note and a corrected invoice** (usually within one business day).",
                True,
            ),
        ],
        "comments": [
            ("q", "m8", "Good to know — we're about to do the same move next quarter."),
        ],
    },
    {
        "area": "integrations",
        "asker": "m3",
        "days": 1,
        "title": "Slack integration posts every update twice in our channel",
        "body": (
            "After reconnecting the Slack app, every project update is posted **twice** to "
            "`#project-updates`. Disconnecting and reconnecting didn't help. We only have one "
            "workspace. Is there a way to see which connections are active?"
        ),
        "tags": ["slack", "notifications"],
        "answers": [
            (
                "m5",
                "This happened to us when a colleague had connected Slack with *their* account "
                "too. Go to *Settings → Integrations → Slack → Connections*: you will probably "
                "see two rows. Remove the one you don't need.",
                False,
            ),
            (
                "staff",
                "Aisha is right: each person who connects Slack creates a separate connection, "
                "and both post to the channel. Admins can see every connection under "
                "*Settings → Integrations → Slack → Connections* and remove duplicates.\n\n"
                "We're changing this so one workspace can only have one connection per channel.",
                False,
            ),
        ],
        "comments": [],
    },
    {
        "area": "reports",
        "asker": "m4",
        "days": 9,
        "title": "CSV export turns accented characters into garbage in Excel",
        "body": (
            "When I export the *Monthly revenue* report to CSV and open it in Excel on Windows, "
            "customer names like `Müller` and `Gonçalves` come out as `MÃ¼ller`. Google Sheets "
            "shows them correctly. Is the export broken?"
        ),
        "tags": ["csv", "export", "excel", "encoding"],
        "answers": [
            (
                "m9",
                "The file is fine — it's UTF-8, and Excel assumes your system code page when you "
                "double-click a CSV. Use *Data → From Text/CSV* and pick **65001: Unicode "
                "(UTF-8)** as the file origin.",
                False,
            ),
            (
                "staff2",
                "To skip the import dialog, choose **Excel-compatible CSV (UTF-8 with BOM)** in "
                "the export menu. The byte-order mark tells Excel the encoding, so double-clicking "
                "the file just works.",
                True,
            ),
        ],
        "comments": [
            (1, "m4", "The Excel-compatible option did it. I'd never noticed it in the menu."),
            ("q", "m11", "Same problem with Polish characters; this thread saved me."),
        ],
    },
    {
        "area": "account-security",
        "asker": "m5",
        "days": 14,
        "title": "How do we enforce two-factor authentication for everyone in our workspace?",
        "body": (
            "Our security team wants 2FA to be mandatory for all 40 users. I can see my own 2FA "
            "settings, but not a way to require it for others. We're on the Enterprise plan."
        ),
        "tags": ["2fa", "security", "admin"],
        "answers": [
            (
                "staff",
                "Workspace owners and admins can do this under *Admin → Security → Two-factor "
                "authentication*: switch on **Require for all members** and pick a grace period "
                "(we suggest 7 days). People without 2FA are asked to set it up at their next "
                "sign-in and can't skip it once the grace period ends.\n\nYou can see who still "
                "needs to enrol in the table underneath.",
                True,
            ),
        ],
        "comments": [(0, "m12", "Is there an API to export that enrolment table?")],
    },
    {
        "area": "integrations",
        "asker": "m6",
        "days": 20,
        "title": "Zapier trigger “New task” fires for tasks in archived projects",
        "body": (
            "Our Zap creates a Trello card for every new Acme task. It also fires for tasks "
            "created by automations in *archived* projects, which floods our board. Can the "
            "trigger ignore archived projects?"
        ),
        "tags": ["zapier", "automation"],
        "answers": [
            (
                "m10",
                "Add a **Filter by Zapier** step after the trigger: *Project Status* → "
                "*(Text) Does not exactly match* → `archived`. The trigger includes the project "
                "status field since last spring.",
                True,
            ),
        ],
        "comments": [],
    },
    {
        "area": "billing",
        "asker": "m7",
        "days": 3,
        "title": "Can we switch from monthly to annual billing in the middle of a cycle?",
        "body": (
            "We're on Pro, billed monthly, and want to move to annual billing to get the "
            "discount. Do we lose the days left in the current month, or is it prorated?"
        ),
        "tags": ["plans", "annual-billing", "proration"],
        "answers": [
            (
                "staff2",
                "It's prorated: when you switch in *Billing → Plan*, the unused part of the "
                "current month is credited against the first annual invoice, and the annual "
                "period starts that day.",
                False,
            ),
        ],
        "comments": [],
    },
    {
        "area": "reports",
        "asker": "m8",
        "days": 0,
        "title": "Scheduled report emails arrive an hour late since the clocks changed",
        "body": (
            "Our weekly *Pipeline summary* is scheduled for Monday 08:00 (Europe/Berlin). Since "
            "the switch to winter time it arrives at 09:00. The schedule still says 08:00."
        ),
        "tags": ["scheduled-reports", "timezones"],
        "answers": [],
        "comments": [],
    },
    {
        "area": "mobile-app",
        "asker": "m9",
        "days": 4,
        "title": "Android app asks me to log in again every morning",
        "body": (
            "On a Pixel 8 (Android 15) the Acme app logs me out overnight. I use SSO through "
            "Okta. The web app keeps me signed in for weeks. Battery optimisation for Acme is "
            "already set to *Unrestricted*."
        ),
        "tags": ["android", "sso", "okta"],
        "answers": [
            (
                "m12",
                "Check the session lifetime on the Okta side: the mobile app uses the OIDC "
                "refresh token, and if your Okta policy sets *refresh token lifetime* to 12 hours "
                "you'll be logged out every day regardless of what Acme does.",
                False,
            ),
        ],
        "comments": [("q", "staff", "Which app version are you on? 5.3 had a bug here.")],
    },
    {
        "area": "account-security",
        "asker": "m10",
        "days": 30,
        "title": "SAML login fails with “Audience mismatch” after moving to a custom domain",
        "body": (
            "We moved from `ourteam.acme.app` to `work.ourcompany.com`. Since then SAML logins "
            "through Azure AD fail with:\n\n```\nSAML response rejected: Audience mismatch "
            "(expected https://work.ourcompany.com/saml/metadata)\n```\n\nWhat do we need to "
            "change in Azure?"
        ),
        "tags": ["saml", "sso", "azure-ad", "custom-domain"],
        "answers": [
            (
                "staff",
                "Update the **Identifier (Entity ID)** and **Reply URL** of the Acme enterprise "
                "app in Azure AD to the new domain:\n\n| Field | Value |\n|---|---|\n"
                "| Identifier | `https://work.ourcompany.com/saml/metadata` |\n"
                "| Reply URL | `https://work.ourcompany.com/saml/acs` |\n\n"
                "Then download the new federation metadata and upload it in *Admin → Security → "
                "SAML*. Sessions that are already open keep working.",
                True,
            ),
            (
                "m14",
                "Also clear the old domain from *Sign-on URL* — we had both and Azure kept "
                "sending the old audience for a while.",
                False,
            ),
        ],
        "comments": [(0, "m10", "Working again. The table made it very easy, thank you.")],
    },
    {
        "area": "integrations",
        "asker": "m11",
        "days": 6,
        "title": "API returns 429 Too Many Requests well below the documented rate limit",
        "body": (
            "The docs say 600 requests per minute, but we get `429` after about 100 requests "
            "in a burst from our nightly sync. We use one API key from one server.\n\n"
            "```python\nfor page in range(200):\n    requests.get(URL, params={'page': page}, "
            "headers=HEADERS)\n```"
        ),
        "tags": ["api", "rate-limits", "python"],
        "answers": [
            (
                "staff2",
                "The limit is 600 per minute **and** 20 per second per key, to protect against "
                "bursts. Read the `Retry-After` header and back off, or pace requests to ~10 per "
                "second. The docs only mentioned the per-minute limit; we've fixed that page.",
                True,
            ),
        ],
        "comments": [("q", "m13", "Does the limit apply per key or per workspace?")],
    },
    {
        "area": "billing",
        "asker": "m12",
        "days": 11,
        "title": "Card declined when renewing, but the bank says nothing was attempted",
        "body": (
            "Our renewal failed with *Your card was declined*. The bank sees no attempt at all. "
            "It's a corporate Visa with 3-D Secure. Any idea what's going on?"
        ),
        "tags": ["payments", "3d-secure", "renewal"],
        "answers": [],
        "comments": [],
    },
    {
        "area": "reports",
        "asker": "m13",
        "days": 8,
        "title": "How do I share a dashboard with people who don't have an Acme account?",
        "body": (
            "I'd like our board members to see the *Quarterly KPIs* dashboard without giving "
            "them seats. Is there a read-only public link?"
        ),
        "tags": ["dashboards", "sharing"],
        "answers": [
            (
                "m2",
                "On Pro and Enterprise there's *Share → Create view-only link*. You can protect "
                "it with a password and an expiry date. The link always shows live data.",
                False,
            ),
        ],
        "comments": [],
    },
    {
        "area": "mobile-app",
        "asker": "m14",
        "days": 1,
        "title": "Offline mode: are edits made on a plane kept if two people change the same task?",
        "body": (
            "I often edit tasks offline on flights. What happens if a colleague edits the same "
            "task while I'm offline — who wins when I reconnect?"
        ),
        "tags": ["offline", "sync", "conflicts"],
        "answers": [],
        "comments": [],
    },
    {
        "area": "account-security",
        "asker": "m3",
        "days": 16,
        "title": "Can a workspace have more than one owner?",
        "body": (
            "Our only owner is leaving the company next month. Can we add a second owner now, "
            "so we're never locked out of billing and security settings?"
        ),
        "tags": ["roles", "permissions", "admin"],
        "answers": [
            (
                "staff",
                "Yes. In *Admin → Members*, open the person's menu and choose **Make owner**. A "
                "workspace can have up to 5 owners; only an owner can promote another.",
                True,
            ),
        ],
        "comments": [],
    },
    {
        "area": "integrations",
        "asker": "member",
        "days": 12,
        "title": "Google Calendar sync creates duplicate events after renaming a calendar",
        "body": (
            "I renamed my Google calendar from *Work* to *Acme work*. Since then each Acme "
            "deadline shows up twice in Google Calendar. How do I clean this up?"
        ),
        "tags": ["google-calendar", "sync", "duplicates"],
        "answers": [
            (
                "m7",
                "Disconnect the calendar in *Settings → Integrations → Google Calendar*, delete "
                "the old *Work* calendar's Acme events (they're all tagged `#acme`), then "
                "reconnect. The rename made Acme treat it as a new calendar.",
                True,
            ),
        ],
        "comments": [],
    },
]

# Closed as a duplicate of the question at index 0 of QUESTIONS.
DUPLICATE = {
    "area": "mobile-app",
    "asker": "m13",
    "days": 1,
    "title": "iPhone app shows old data until I restart it",
    "body": (
        "My iPhone app doesn't update unless I close it completely and open it again. "
        "Is that normal?"
    ),
    "tags": ["ios", "sync"],
}
