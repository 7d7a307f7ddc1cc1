from django.shortcuts import render


def home(request):
    """The home page; the reports issue turns it into the owner's dashboard."""
    return render(request, "reports/home.html")
