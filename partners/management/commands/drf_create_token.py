"""`manage.py drf_create_token USER`, as DRF's command of that name is used (README): it
prints `Generated token <key> for user USER`. Keys are stored hashed, so an earlier
key cannot be printed again: each run issues a new token. The user's earlier tokens
keep working (a script that runs this twice breaks nothing) unless `--reset` revokes
them."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from partners.tokens import issue_api_token


class Command(BaseCommand):
    help = "Issue a new API token for a user and print its key (shown this once; only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("username", type=str)
        parser.add_argument(
            "-r",
            "--reset",
            action="store_true",
            dest="reset_token",
            default=False,
            help="Revoke the user's earlier API tokens, at once on every server.",
        )

    def handle(self, *args, username, reset_token, **options):
        User = get_user_model()
        user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"Cannot create the Token: user {username} does not exist")
        issued = issue_api_token(user=user, label="manage.py drf_create_token", replace=reset_token)
        self.stdout.write(f"Generated token {issued.key} for user {username}")
