"""Every page a patient and a care contact reach answers, in Swedish, without errors."""


def test_patient_home_shows_fixed_care_contact_with_tap_to_call(patient_client):
    html = patient_client.get("/").get_data(as_text=True)
    assert "Min plan" in html
    assert "Karin Lind" in html and "Distriktssköterska" in html
    assert 'href="tel:0101234567"' in html
    assert "Telefontid: Mån–sön 00:00–24:00" in html
    assert "Vårdcentralen Test" in html
    assert "Ali Hassan" in html  # fast läkarkontakt


def test_staff_lands_on_unit_patient_list(nurse_client, patient):
    response = nurse_client.get("/", follow_redirects=True)
    assert "Astrid Berg" in response.get_data(as_text=True)


def test_pages_render_for_patient(patient_client):
    for path in ("/", "/nycklar", "/logglista", "/offline", "/manifest.webmanifest", "/sw.js"):
        assert patient_client.get(path).status_code == 200, path
