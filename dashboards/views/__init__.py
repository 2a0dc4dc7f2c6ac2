"""One Streamlit script per page; each answers the question in its title."""
