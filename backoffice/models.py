"""No models. The module is here because Django sends post_migrate only to apps that
have one, and the back office syncs its role groups on it (backoffice/apps.py): as
the app listed after every domain app, it hears the signal once their permissions
exist."""
