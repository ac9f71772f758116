"""aiosmtpd handler for the notification tests: a Maildir, like aiosmtpd's Mailbox,
that refuses for good (550 5.1.1, as a real server does for an unknown mailbox) every
recipient whose local part starts with "nobody".

    PYTHONPATH=tests/api python3 -m aiosmtpd -n -l 127.0.0.1:PORT \
        -c smtp_handler.Refusing DIR/Maildir
"""
from aiosmtpd.handlers import Mailbox


class Refusing(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("nobody"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"
