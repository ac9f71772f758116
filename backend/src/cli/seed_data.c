/* The demo directory's raw material: data tables (see cli/seed_data.h). */
#include "cli/seed_data.h"

#include <string.h>

/* STRS("a", "b") initialises a struct strlist in place. */
#define STRS(...) { (const char *const[]){ __VA_ARGS__ }, \
                    sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *) }

/* ------------------------------------------------------------------------ */
/* Vocabulary: must match the slugs inserted by migrations/0002.            */

const char *const profession_slug[PR_COUNT] = {
    "massage-therapist", "physical-therapist", "chiropractor", "occupational-therapist",
    "osteopath", "physiotherapist", "myotherapist",
};

const char *const technique_slug[T_COUNT] = {
    "myofascial-release", "trigger-point-therapy", "deep-tissue-massage", "remedial-massage",
    "swedish-massage", "craniosacral-therapy", "iastm", "cupping", "dry-needling",
    "spinal-manipulation", "therapeutic-exercise", "hydrotherapy", "heat-therapy",
    "guided-stretching", "foam-roller-coaching", "movement-therapy",
};
/* How a bio names each technique in running text. */
const char *const technique_phrase[T_COUNT] = {
    "myofascial release", "trigger point therapy", "deep tissue massage", "remedial massage",
    "Swedish massage", "craniosacral therapy", "instrument-assisted soft tissue work",
    "cupping", "dry needling", "spinal manipulation", "therapeutic exercise", "hydrotherapy",
    "heat therapy", "guided stretching", "foam-roller coaching",
    "tai chi-style movement",
};

const char *const condition_slug[C_COUNT] = {
    "fibromyalgia", "chronic-fatigue-syndrome", "myofascial-pain-syndrome",
    "chronic-low-back-pain", "neck-shoulder-pain", "headaches-tmj", "sports-injury",
    "whiplash-trauma", "arthritis-pain",
};
const char *const condition_phrase[C_COUNT] = {
    "fibromyalgia", "chronic fatigue syndrome", "myofascial pain syndrome",
    "chronic low back pain", "neck and shoulder pain", "headaches and TMJ", "sports injuries",
    "whiplash after car accidents", "arthritis pain",
};

/* ------------------------------------------------------------------------ */
/* Places.                                                                   */


const struct country_info countries[CO_COUNT] = {
    [CO_US] = { "US", ".com", false, "Center" },
    [CO_CA] = { "CA", ".ca", false, "Centre" },
    [CO_GB] = { "GB", ".co.uk", false, "Centre" },
    [CO_DE] = { "DE", ".de", true, "Zentrum" },
    [CO_AU] = { "AU", ".com.au", false, "Centre" },
};

/* A neighbourhood: real centre, a jitter radius that keeps points out of the
 * water, and its real postcode (US, DE, AU) or the first half of it (CA, GB). */



#define LANGS(...) (const struct lang_odds[]){ __VA_ARGS__ }, \
                   sizeof((const struct lang_odds[]){ __VA_ARGS__ }) / sizeof(struct lang_odds)
#define HOODS(...) (const struct hood[]){ __VA_ARGS__ }, \
                   sizeof((const struct hood[]){ __VA_ARGS__ }) / sizeof(struct hood)

const struct city cities[] = {
    { "Portland", "OR", CO_US, "America/Los_Angeles", "USD", 16, 100, 78004, "(503) 555-01", 2, "en",
      LANGS({ "es", 70 }, { "vi", 40 }, { "ru", 30 }, { "zh", 20 }),
      HOODS({ "Downtown", 45.5189, -122.6793, 700, "97205", { "SW Morrison St", "SW Alder St", "SW 5th Ave" } },
            { "Pearl District", 45.5290, -122.6830, 800, "97209", { "NW Lovejoy St", "NW 11th Ave", "NW Glisan St" } },
            { "Hawthorne", 45.5120, -122.6300, 1500, "97214", { "SE Hawthorne Blvd", "SE Belmont St", "SE Division St" } },
            { "Alberta Arts District", 45.5590, -122.6450, 1200, "97211", { "NE Alberta St", "NE Killingsworth St" } },
            { "Sellwood", 45.4647, -122.6530, 900, "97202", { "SE 13th Ave", "SE Tacoma St" } },
            { "St. Johns", 45.5900, -122.7530, 900, "97203", { "N Lombard St", "N Philadelphia Ave" } },
            { "Hollywood", 45.5350, -122.6210, 1000, "97213", { "NE Sandy Blvd", "NE Broadway" } },
            { "Multnomah Village", 45.4680, -122.7150, 1000, "97219", { "SW Capitol Hwy", "SW Multnomah Blvd" } },
            { "Montavilla", 45.5190, -122.5800, 1200, "97215", { "SE Stark St", "NE Glisan St" } },
            { "Lloyd District", 45.5320, -122.6560, 600, "97232", { "NE Multnomah St", "NE Broadway" } }),
      STRS("Cascade", "Rose City", "Willamette", "Mt. Tabor", "Forest Park", "Stumptown", "Columbia River"), 4999 },
    { "Seattle", "WA", CO_US, "America/Los_Angeles", "USD", 8, 110, 75054, "(206) 555-01", 2, "en",
      LANGS({ "zh", 50 }, { "vi", 40 }, { "es", 40 }, { "ko", 30 }),
      HOODS({ "Capitol Hill", 47.6253, -122.3222, 900, "98102", { "Broadway E", "E Pike St", "15th Ave E" } },
            { "Ballard", 47.6687, -122.3840, 900, "98107", { "NW Market St", "Ballard Ave NW" } },
            { "Fremont", 47.6510, -122.3500, 600, "98103", { "N 36th St", "Fremont Ave N" } },
            { "University District", 47.6610, -122.3130, 700, "98105", { "University Way NE", "NE 45th St" } },
            { "West Seattle", 47.5610, -122.3870, 1000, "98116", { "California Ave SW", "SW Alaska St" } },
            { "Columbia City", 47.5590, -122.2860, 800, "98118", { "Rainier Ave S", "S Edmunds St" } },
            { "Downtown", 47.6100, -122.3340, 500, "98101", { "3rd Ave", "Pine St", "4th Ave" } },
            { "Queen Anne", 47.6370, -122.3570, 700, "98109", { "Queen Anne Ave N", "W Galer St" } }),
      STRS("Puget Sound", "Emerald City", "Rainier", "Salish Sea", "Evergreen State", "Olympic"), 3999 },
    { "San Francisco", "CA", CO_US, "America/Los_Angeles", "USD", 7, 122, 87990, "(415) 555-01", 2, "en",
      LANGS({ "zh", 90 }, { "es", 80 }, { "tl", 30 }, { "ru", 20 }),
      HOODS({ "Mission District", 37.7599, -122.4148, 900, "94110", { "Valencia St", "Mission St", "24th St" } },
            { "Noe Valley", 37.7502, -122.4337, 700, "94114", { "24th St", "Church St" } },
            { "Inner Richmond", 37.7800, -122.4690, 800, "94118", { "Clement St", "Geary Blvd" } },
            { "Inner Sunset", 37.7620, -122.4680, 700, "94122", { "Irving St", "9th Ave" } },
            { "SoMa", 37.7785, -122.4056, 600, "94103", { "Folsom St", "Howard St" } },
            { "Marina", 37.7990, -122.4370, 400, "94123", { "Chestnut St", "Union St" } },
            { "Bernal Heights", 37.7390, -122.4160, 600, "94110", { "Cortland Ave", "Mission St" } },
            { "Financial District", 37.7930, -122.4010, 400, "94111", { "Montgomery St", "Sansome St" } }),
      STRS("Golden Gate", "Bay Area", "Presidio", "Twin Peaks", "Fog City", "Dolores"), 3999 },
    { "Denver", "CO", CO_US, "America/Denver", "USD", 6, 100, 85601, "(303) 555-01", 2, "en",
      LANGS({ "es", 100 }),
      HOODS({ "LoDo", 39.7530, -105.0000, 600, "80202", { "Larimer St", "Blake St", "Wazee St" } },
            { "Capitol Hill", 39.7310, -104.9790, 800, "80203", { "E Colfax Ave", "E 13th Ave" } },
            { "Highlands", 39.7610, -105.0110, 900, "80211", { "W 32nd Ave", "Tejon St" } },
            { "Washington Park", 39.7000, -104.9700, 900, "80209", { "S Gaylord St", "E Exposition Ave" } },
            { "Cherry Creek", 39.7170, -104.9530, 700, "80206", { "E 2nd Ave", "Fillmore St" } },
            { "Park Hill", 39.7500, -104.9250, 1000, "80207", { "E 23rd Ave", "Dexter St" } },
            { "Baker", 39.7160, -104.9880, 600, "80223", { "S Broadway", "W Ellsworth Ave" } }),
      STRS("Front Range", "Mile High", "Red Rocks", "Columbine", "Aspen Leaf", "Platte River"), 3999 },
    { "Phoenix", "AZ", CO_US, "America/Phoenix", "USD", 5, 92, 92883, "(602) 555-01", 2, "en",
      LANGS({ "es", 140 }),
      HOODS({ "Downtown", 33.4500, -112.0730, 700, "85004", { "N Central Ave", "E Roosevelt St" } },
            { "Arcadia", 33.5000, -111.9850, 1200, "85018", { "E Camelback Rd", "N 44th St" } },
            { "Midtown", 33.4800, -112.0740, 900, "85012", { "N Central Ave", "E Thomas Rd" } },
            { "Ahwatukee", 33.3420, -111.9840, 1200, "85044", { "E Chandler Blvd", "S 48th St" } },
            { "North Central", 33.5400, -112.0700, 1000, "85020", { "N 7th St", "E Glendale Ave" } },
            { "Maryvale", 33.4950, -112.1700, 1200, "85033", { "W Indian School Rd", "N 75th Ave" } }),
      STRS("Desert Sage", "Saguaro", "Camelback", "Sonoran", "Palo Verde", "Mesquite"), 4999 },
    { "Chicago", "IL", CO_US, "America/Chicago", "USD", 7, 102, 82885, "(312) 555-01", 2, "en",
      LANGS({ "es", 100 }, { "pl", 40 }),
      HOODS({ "The Loop", 41.8810, -87.6300, 500, "60603", { "W Madison St", "S Wabash Ave" } },
            { "Lincoln Park", 41.9214, -87.6513, 900, "60614", { "N Clark St", "W Armitage Ave" } },
            { "Wicker Park", 41.9088, -87.6796, 800, "60622", { "N Milwaukee Ave", "W Division St" } },
            { "Logan Square", 41.9230, -87.7090, 900, "60647", { "N Milwaukee Ave", "W Fullerton Ave" } },
            { "Lakeview", 41.9430, -87.6540, 800, "60657", { "N Broadway", "W Belmont Ave" } },
            { "Hyde Park", 41.7943, -87.5960, 700, "60615", { "E 53rd St", "S Harper Ave" } },
            { "Pilsen", 41.8560, -87.6560, 800, "60608", { "W 18th St", "S Blue Island Ave" } },
            { "Andersonville", 41.9800, -87.6680, 700, "60640", { "N Clark St", "W Foster Ave" } }),
      STRS("Lakeshore", "Windy City", "Prairie", "Great Lakes", "Second City", "Lincoln"), 3999 },
    { "Austin", "TX", CO_US, "America/Chicago", "USD", 5, 96, 96145, "(512) 555-01", 2, "en",
      LANGS({ "es", 120 }, { "vi", 20 }),
      HOODS({ "Downtown", 30.2680, -97.7430, 600, "78701", { "Congress Ave", "W 6th St" } },
            { "South Congress", 30.2480, -97.7500, 900, "78704", { "S Congress Ave", "S Lamar Blvd" } },
            { "East Austin", 30.2620, -97.7230, 900, "78702", { "E Cesar Chavez St", "E 11th St" } },
            { "Hyde Park", 30.3050, -97.7290, 700, "78751", { "Duval St", "W 45th St" } },
            { "Mueller", 30.2980, -97.7050, 700, "78723", { "Aldrich St", "Berkman Dr" } },
            { "Zilker", 30.2600, -97.7700, 700, "78704", { "Barton Springs Rd", "S Lamar Blvd" } },
            { "Crestview", 30.3400, -97.7300, 900, "78757", { "Burnet Rd", "Anderson Ln" } }),
      STRS("Hill Country", "Lone Star", "Barton Springs", "Live Oak", "Bluebonnet", "Colorado River"), 4999 },
    { "New York", "NY", CO_US, "America/New_York", "USD", 9, 122, 84379, "(212) 555-01", 2, "en",
      LANGS({ "es", 100 }, { "zh", 50 }, { "ru", 50 }, { "ko", 20 }, { "fr", 20 }),
      HOODS({ "Midtown", 40.7549, -73.9840, 600, "10018", { "W 37th St", "Broadway", "7th Ave" } },
            { "Upper West Side", 40.7870, -73.9754, 500, "10024", { "Amsterdam Ave", "W 79th St" } },
            { "Upper East Side", 40.7736, -73.9566, 500, "10021", { "Lexington Ave", "E 72nd St" } },
            { "Chelsea", 40.7465, -74.0014, 500, "10011", { "W 23rd St", "8th Ave" } },
            { "Greenwich Village", 40.7336, -74.0027, 500, "10014", { "Bleecker St", "Hudson St" } },
            { "Financial District", 40.7075, -74.0090, 300, "10005", { "Wall St", "William St" } },
            { "Harlem", 40.8116, -73.9465, 700, "10027", { "W 125th St", "Malcolm X Blvd" } }),
      STRS("Hudson", "Empire", "Gotham", "Manhattan", "Knickerbocker", "Liberty"), 699 },
    { "Boston", "MA", CO_US, "America/New_York", "USD", 5, 112, 82257, "(617) 555-01", 2, "en",
      LANGS({ "pt", 60 }, { "es", 60 }, { "zh", 30 }),
      HOODS({ "Back Bay", 42.3503, -71.0810, 600, "02116", { "Newbury St", "Boylston St" } },
            { "Beacon Hill", 42.3588, -71.0707, 400, "02108", { "Charles St", "Cambridge St" } },
            { "South End", 42.3388, -71.0765, 600, "02118", { "Tremont St", "Washington St" } },
            { "Jamaica Plain", 42.3097, -71.1151, 900, "02130", { "Centre St", "South St" } },
            { "Dorchester", 42.3016, -71.0676, 900, "02124", { "Dorchester Ave", "Adams St" } },
            { "Brighton", 42.3480, -71.1520, 800, "02135", { "Washington St", "Market St" } },
            { "Charlestown", 42.3782, -71.0602, 400, "02129", { "Main St", "Bunker Hill St" } },
            { "Roslindale", 42.2832, -71.1270, 800, "02131", { "Belgrade Ave", "Washington St" } }),
      STRS("Charles River", "Bay State", "Commonwealth", "Beacon", "Harborside", "Emerald Necklace"), 1499 },
    { "Honolulu", "HI", CO_US, "Pacific/Honolulu", "USD", 2, 110, 103711, "(808) 555-01", 2, "en",
      LANGS({ "ja", 80 }, { "tl", 60 }, { "zh", 30 }, { "ko", 20 }),
      HOODS({ "Downtown", 21.3100, -157.8600, 400, "96813", { "Bishop St", "S King St" } },
            { "Kaimuki", 21.2790, -157.8090, 700, "96816", { "Waialae Ave", "Koko Head Ave" } },
            { "Manoa", 21.3060, -157.8080, 700, "96822", { "E Manoa Rd", "Oahu Ave" } },
            { "Kakaako", 21.2970, -157.8600, 300, "96813", { "Auahi St", "Ward Ave" } },
            { "Ala Moana", 21.2935, -157.8430, 300, "96814", { "Kapiolani Blvd", "Keeaumoku St" } },
            { "Kalihi", 21.3320, -157.8730, 700, "96817", { "N King St", "Kalihi St" } },
            { "Waikiki", 21.2830, -157.8290, 250, "96815", { "Kuhio Ave", "Kalakaua Ave" } }),
      STRS("Aloha", "Diamond Head", "Pali", "Island", "Koa", "Makana"), 2999 },
    { "Toronto", "ON", CO_CA, "America/Toronto", "CAD", 6, 130, 80543, "(416) 555-01", 2, "en",
      LANGS({ "fr", 80 }, { "zh", 60 }, { "pt", 40 }, { "it", 30 }, { "ko", 20 }),
      HOODS({ "Financial District", 43.6510, -79.3830, 500, "M5H", { "Bay St", "King St W" } },
            { "The Annex", 43.6690, -79.4070, 700, "M5R", { "Bloor St W", "Spadina Rd" } },
            { "Leslieville", 43.6630, -79.3330, 700, "M4M", { "Queen St E", "Carlaw Ave" } },
            { "Kensington Market", 43.6545, -79.4005, 400, "M5T", { "Augusta Ave", "Spadina Ave" } },
            { "High Park", 43.6530, -79.4660, 700, "M6P", { "Bloor St W", "Roncesvalles Ave" } },
            { "Yonge and Eglinton", 43.7060, -79.3980, 700, "M4S", { "Yonge St", "Eglinton Ave W" } },
            { "The Danforth", 43.6780, -79.3480, 700, "M4K", { "Danforth Ave", "Pape Ave" } },
            { "North York", 43.7615, -79.4111, 900, "M2N", { "Yonge St", "Sheppard Ave E" } }),
      STRS("Lakeshore", "Don Valley", "Maple", "Humber", "Ontario", "Beaches"), 2999 },
    { "Vancouver", "BC", CO_CA, "America/Vancouver", "CAD", 5, 133, 72617, "(604) 555-01", 2, "en",
      LANGS({ "zh", 120 }, { "pa", 60 }, { "fr", 50 }, { "ko", 30 }),
      HOODS({ "Downtown", 49.2820, -123.1200, 400, "V6E", { "Robson St", "W Georgia St" } },
            { "Kitsilano", 49.2650, -123.1680, 700, "V6K", { "W 4th Ave", "W Broadway" } },
            { "Mount Pleasant", 49.2630, -123.1000, 700, "V5T", { "Main St", "E Broadway" } },
            { "Grandview", 49.2700, -123.0690, 700, "V5L", { "Commercial Dr", "Venables St" } },
            { "Kerrisdale", 49.2340, -123.1550, 800, "V6M", { "W 41st Ave", "West Blvd" } },
            { "Fairview", 49.2620, -123.1300, 500, "V5Z", { "W Broadway", "Oak St" } },
            { "Hastings-Sunrise", 49.2780, -123.0400, 700, "V5K", { "E Hastings St", "Nanaimo St" } },
            { "Yaletown", 49.2750, -123.1210, 300, "V6B", { "Mainland St", "Hamilton St" } }),
      STRS("Coastal", "Pacific", "Seawall", "Cypress", "North Shore", "Salish"), 3999 },
    { "London", "ENG", CO_GB, "Europe/London", "GBP", 7, 86, 69287, "020 7946 0", 3, "en",
      LANGS({ "fr", 40 }, { "es", 40 }, { "pl", 40 }, { "it", 30 }, { "pt", 20 }),
      HOODS({ "Islington", 51.5380, -0.1030, 800, "N1", { "Upper Street", "Essex Road" } },
            { "Clapham", 51.4620, -0.1380, 800, "SW4", { "Clapham High Street", "Abbeville Road" } },
            { "Hackney", 51.5450, -0.0550, 800, "E8", { "Mare Street", "Well Street" } },
            { "Camden", 51.5390, -0.1426, 700, "NW1", { "Camden High Street", "Parkway" } },
            { "Brixton", 51.4613, -0.1156, 700, "SW9", { "Coldharbour Lane", "Acre Lane" } },
            { "Marylebone", 51.5200, -0.1500, 600, "W1G", { "Harley Street", "Wimpole Street" } },
            { "Greenwich", 51.4790, -0.0077, 500, "SE10", { "Trafalgar Road", "Greenwich South Street" } },
            { "Shepherd's Bush", 51.5045, -0.2240, 700, "W12", { "Uxbridge Road", "Goldhawk Road" } },
            { "Stoke Newington", 51.5620, -0.0740, 700, "N16", { "Church Street", "Stoke Newington High Street" } }),
      STRS("Thames", "Primrose", "Albion", "Kingsway", "Heath", "Regent"), 0 },
    { "Manchester", "ENG", CO_GB, "Europe/London", "GBP", 3, 70, 66246, "0161 496 0", 3, "en",
      LANGS({ "ur", 60 }, { "pl", 40 }, { "zh", 20 }),
      HOODS({ "City Centre", 53.4800, -2.2400, 600, "M1", { "Portland Street", "Oldham Street" } },
            { "Chorlton", 53.4420, -2.2790, 800, "M21", { "Beech Road", "Barlow Moor Road" } },
            { "Didsbury", 53.4170, -2.2310, 800, "M20", { "Wilmslow Road", "School Lane" } },
            { "Ancoats", 53.4840, -2.2260, 500, "M4", { "Great Ancoats Street", "Blossom Street" } },
            { "Levenshulme", 53.4440, -2.1920, 800, "M19", { "Stockport Road", "Albert Road" } },
            { "Fallowfield", 53.4430, -2.2200, 700, "M14", { "Wilmslow Road", "Ladybarn Lane" } },
            { "West Didsbury", 53.4240, -2.2420, 600, "M20", { "Burton Road", "Lapwing Lane" } }),
      STRS("Northern", "Irwell", "Pennine", "Mancunian", "Red Rose", "Mersey"), 0 },
    { "Berlin", "BE", CO_DE, "Europe/Berlin", "EUR", 4, 80, 67736, "030 23125 ", 3, "de",
      LANGS({ "en", 650 }, { "tr", 60 }, { "ru", 40 }, { "pl", 30 }, { "fr", 30 }, { "es", 20 }),
      HOODS({ "Prenzlauer Berg", 52.5390, 13.4240, 900, "10435", { "Kastanienallee", "Schönhauser Allee", "Oderberger Straße" } },
            { "Kreuzberg", 52.4986, 13.4030, 900, "10999", { "Oranienstraße", "Wiener Straße" } },
            { "Neukölln", 52.4811, 13.4350, 900, "12047", { "Weserstraße", "Karl-Marx-Straße" } },
            { "Charlottenburg", 52.5160, 13.3040, 900, "10627", { "Kantstraße", "Wilmersdorfer Straße" } },
            { "Friedrichshain", 52.5150, 13.4540, 800, "10245", { "Boxhagener Straße", "Simon-Dach-Straße" } },
            { "Schöneberg", 52.4830, 13.3540, 800, "10827", { "Hauptstraße", "Akazienstraße" } },
            { "Mitte", 52.5270, 13.3880, 700, "10115", { "Torstraße", "Invalidenstraße" } },
            { "Steglitz", 52.4560, 13.3220, 800, "12163", { "Schloßstraße", "Albrechtstraße" } }),
      STRS("am Kollwitzplatz", "an der Spree", "am Landwehrkanal", "im Kiez", "Lindenhof",
           "am Tiergarten", "am Volkspark"), 0 },
    { "Sydney", "NSW", CO_AU, "Australia/Sydney", "AUD", 4, 158, 92431, "(02) 5550 ", 4, "en",
      LANGS({ "zh", 80 }, { "vi", 40 }, { "el", 30 }, { "ko", 20 }, { "it", 20 }),
      HOODS({ "Sydney CBD", -33.8700, 151.2070, 400, "2000", { "George Street", "Pitt Street" } },
            { "Surry Hills", -33.8860, 151.2110, 600, "2010", { "Crown Street", "Bourke Street" } },
            { "Newtown", -33.8970, 151.1790, 700, "2042", { "King Street", "Enmore Road" } },
            { "Bondi Junction", -33.8920, 151.2480, 500, "2022", { "Oxford Street", "Spring Street" } },
            { "Chatswood", -33.7960, 151.1800, 700, "2067", { "Victoria Avenue", "Help Street" } },
            { "Marrickville", -33.9110, 151.1550, 700, "2204", { "Illawarra Road", "Marrickville Road" } },
            { "Balmain", -33.8590, 151.1790, 300, "2041", { "Darling Street", "Beattie Street" } },
            { "North Sydney", -33.8390, 151.2070, 400, "2060", { "Miller Street", "Walker Street" } },
            { "Randwick", -33.9140, 151.2410, 700, "2031", { "Belmore Road", "Avoca Street" } }),
      STRS("Harbourside", "Eucalypt", "Southern Cross", "Waratah", "Coastal", "Blue Gum"), 0 },
    { "Melbourne", "VIC", CO_AU, "Australia/Melbourne", "AUD", 3, 150, 87944, "(03) 7010 ", 4, "en",
      LANGS({ "el", 50 }, { "it", 50 }, { "zh", 70 }, { "vi", 30 }),
      HOODS({ "Melbourne CBD", -37.8140, 144.9630, 500, "3000", { "Collins Street", "Swanston Street" } },
            { "Fitzroy", -37.7990, 144.9780, 600, "3065", { "Brunswick Street", "Gertrude Street" } },
            { "Brunswick", -37.7670, 144.9610, 800, "3056", { "Sydney Road", "Lygon Street" } },
            { "Richmond", -37.8230, 144.9980, 700, "3121", { "Swan Street", "Bridge Road" } },
            { "St Kilda", -37.8640, 144.9820, 500, "3182", { "Acland Street", "Fitzroy Street" } },
            { "Footscray", -37.8000, 144.9000, 700, "3011", { "Barkly Street", "Hopkins Street" } },
            { "Carlton", -37.8000, 144.9670, 500, "3053", { "Lygon Street", "Rathdowne Street" } },
            { "Camberwell", -37.8260, 145.0580, 800, "3124", { "Burke Road", "Riversdale Road" } }),
      STRS("Yarra", "Southern Cross", "Wattle", "Bayside", "Dandenong", "Laneway"), 0 },
};
_Static_assert(COUNT(cities) == NCITIES, "NCITIES in cli/seed_data.h");

/* Everyday names of languages for bios. */
static const struct language_name { const char *code, *name; } language_names[] = {
    { "en", "English" }, { "de", "German" }, { "es", "Spanish" }, { "zh", "Mandarin" },
    { "vi", "Vietnamese" }, { "ru", "Russian" }, { "fr", "French" }, { "pt", "Portuguese" },
    { "ko", "Korean" }, { "ja", "Japanese" }, { "tl", "Tagalog" }, { "pl", "Polish" },
    { "it", "Italian" }, { "el", "Greek" }, { "tr", "Turkish" }, { "pa", "Punjabi" },
    { "ur", "Urdu" },
};

/* ------------------------------------------------------------------------ */
/* People.                                                                   */

/* Names by language.  A last name written "Ivanov/Ivanova" has a masculine
 * and a feminine form; neutral first names appear in both lists. */
const struct name_pool name_pools[] = {
    { "en",
      STRS("Emily", "Sarah", "Jessica", "Megan", "Rachel", "Laura", "Hannah", "Olivia", "Grace",
           "Claire", "Rebecca", "Amanda", "Natalie", "Kate", "Lauren", "Amy", "Heather", "Melissa",
           "Jennifer", "Michelle", "Danielle", "Erin", "Caitlin", "Molly", "Abigail", "Chloe",
           "Sophie", "Lucy", "Zoë", "Renée", "Jasmine", "Aaliyah", "Imani", "Keisha", "Tamika",
           "Priya", "Anjali", "Aisha", "Leila", "Yasmin", "Maya", "Nadia", "Siobhan", "Bethany",
           "Jordan", "Taylor", "Alex", "Casey", "Morgan", "Riley", "Jamie", "Quinn"),
      STRS("Michael", "David", "James", "Daniel", "Matthew", "Ryan", "Andrew", "Chris", "Brian",
           "Kevin", "Jason", "Marcus", "Andre", "Darnell", "Jamal", "Malik", "Ethan", "Noah",
           "Liam", "Owen", "Tom", "Ben", "Sam", "Josh", "Nathan", "Adam", "Ravi", "Arjun", "Omar",
           "Tariq", "Sean", "Patrick", "Connor", "Ian", "Jordan", "Taylor", "Alex", "Casey"),
      STRS("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
           "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Thompson", "White",
           "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
           "Scott", "Hill", "Green", "Adams", "Baker", "Nelson", "Carter", "Mitchell", "Roberts",
           "Turner", "Phillips", "Campbell", "Parker", "Evans", "Edwards", "Collins", "Stewart",
           "Morris", "Murphy", "Cook", "Rogers", "Cooper", "Peterson", "Reed", "Bailey", "Bell",
           "Kelly", "Howard", "Ward", "Richardson", "Wood", "Brooks", "Bennett", "Gray", "Hughes",
           "Price", "Sanders", "Foster", "O'Brien", "O'Connor", "Sullivan", "McCarthy", "Patel",
           "Shah", "Khan", "Singh", "Okafor", "Adeyemi", "Mensah", "Washington", "Banks",
           "Schmidt", "Hoffman", "Cohen", "Levy", "Goldberg", "Friedman", "Nakamura", "Tanaka",
           "Kim", "Park", "Lee", "Chen", "Wong", "Nguyen", "Tran", "Garcia", "Martinez", "Lopez",
           "Rivera", "Ramirez", "Fitzgerald", "Lindqvist", "Novak", "Haddad") },
    { "es",
      STRS("María", "Ana", "Carmen", "Sofía", "Lucía", "Gabriela", "Isabel", "Valentina", "Elena",
           "Daniela", "Paola", "Adriana", "Mariana", "Rosa"),
      STRS("José", "Luis", "Carlos", "Diego", "Javier", "Alejandro", "Miguel", "Andrés", "Rafael",
           "Mateo", "Jorge", "Eduardo"),
      STRS("García", "Martínez", "Rodríguez", "López", "Hernández", "González", "Pérez",
           "Sánchez", "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Morales", "Reyes",
           "Cruz", "Ortiz", "Gutiérrez", "Castillo", "Mendoza", "Vargas") },
    { "zh",
      STRS("Wei", "Mei", "Jing", "Xiaoling", "Hui", "Yan", "Lin", "Ying", "Fang", "Grace",
           "Vivian", "Jenny", "Xiu", "Ling"),
      STRS("Wei", "Ming", "Jun", "Hao", "Tao", "Jian", "Lei", "Kevin", "Eric", "Bo", "Yong"),
      STRS("Chen", "Wang", "Li", "Zhang", "Liu", "Huang", "Zhao", "Wu", "Zhou", "Lin", "Yang",
           "Xu", "Sun", "Ma", "Zhu", "Wong", "Cheung", "Lam", "Chan", "Ho") },
    { "vi",
      STRS("Linh", "Huong", "Anh", "Trang", "Hoa", "Lan", "Mai", "Ngoc", "Thu", "Thao"),
      STRS("Minh", "Duc", "Tuan", "Quang", "Bao", "Thanh", "Hung", "Long", "Khoa"),
      STRS("Nguyen", "Tran", "Le", "Pham", "Hoang", "Huynh", "Vo", "Dang", "Bui", "Do", "Ngo",
           "Duong", "Ly", "Phan") },
    { "ru",
      STRS("Natalia", "Olga", "Irina", "Svetlana", "Elena", "Tatiana", "Anastasia", "Yulia",
           "Ekaterina", "Marina"),
      STRS("Dmitri", "Sergei", "Alexei", "Ivan", "Mikhail", "Andrei", "Pavel", "Nikolai"),
      STRS("Ivanov/Ivanova", "Petrov/Petrova", "Smirnov/Smirnova", "Sokolov/Sokolova",
           "Volkov/Volkova", "Kozlov/Kozlova", "Morozov/Morozova", "Popov/Popova",
           "Orlov/Orlova", "Lebedev/Lebedeva", "Novikov/Novikova", "Fedorov/Fedorova") },
    { "de",
      STRS("Anna", "Julia", "Katharina", "Lena", "Sophie", "Laura", "Miriam", "Sabine", "Petra",
           "Claudia", "Jana", "Franziska", "Lea", "Johanna", "Friederike"),
      STRS("Jonas", "Lukas", "Felix", "Tobias", "Jan", "Stefan", "Thomas", "Markus", "Jürgen",
           "Florian", "Sebastian", "Matthias", "Moritz"),
      STRS("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
           "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
           "Schwarz", "Zimmermann", "Braun", "Krüger", "Hartmann", "Lange", "Werner", "Krause",
           "Lehmann", "Köhler", "Vogel", "Brandt") },
    { "fr",
      STRS("Camille", "Chloé", "Léa", "Manon", "Julie", "Amélie", "Élodie", "Nathalie",
           "Isabelle", "Geneviève", "Sophie"),
      STRS("Mathieu", "Julien", "François", "Antoine", "Nicolas", "Étienne", "Olivier",
           "Sébastien", "Luc"),
      STRS("Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie",
           "Fortin", "Bélanger", "Dubois", "Lefebvre", "Moreau", "Laurent", "Girard",
           "Fournier") },
    { "pt",
      STRS("Ana", "Beatriz", "Mariana", "Juliana", "Fernanda", "Camila", "Inês", "Rita",
           "Larissa"),
      STRS("João", "Pedro", "Tiago", "Rafael", "Lucas", "Bruno", "Gustavo", "Rodrigo"),
      STRS("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Ferreira", "Rodrigues",
           "Almeida", "Carvalho", "Gomes", "Ribeiro", "Martins", "Lima") },
    { "ko",
      STRS("Ji-woo", "Min-ji", "Seo-yeon", "Soo-jin", "Hye-jin", "Eun-ji", "Ha-eun"),
      STRS("Ji-hoon", "Min-jun", "Hyun-woo", "Dong-hyun", "Sung-min", "Jae-won"),
      STRS("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han",
           "Shin") },
    { "ja",
      STRS("Yuki", "Aiko", "Haruka", "Emi", "Naomi", "Keiko", "Sakura", "Mariko"),
      STRS("Kenji", "Hiroshi", "Takeshi", "Daisuke", "Kenta", "Yuki", "Ryo"),
      STRS("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura",
           "Kobayashi", "Kato", "Yoshida", "Yamada", "Higa", "Kaneshiro", "Fujimoto") },
    { "tl",
      STRS("Maria", "Kristine", "Joy", "Angelica", "Rosalie", "Mary Grace", "Lorna", "Divina"),
      STRS("Jerome", "Mark Anthony", "Rommel", "Paolo", "Jericho", "Ramon", "Noel"),
      STRS("Santos", "Reyes", "Cruz", "Bautista", "Ocampo", "Mendoza", "Dela Cruz", "Aquino",
           "Villanueva", "Ramos", "Castillo", "Manalo") },
    { "pl",
      STRS("Anna", "Katarzyna", "Magdalena", "Agnieszka", "Joanna", "Monika", "Ewa"),
      STRS("Piotr", "Tomasz", "Paweł", "Krzysztof", "Marcin", "Michał", "Jakub"),
      STRS("Nowak", "Kowalski/Kowalska", "Wiśniewski/Wiśniewska", "Wójcik", "Kowalczyk",
           "Mazur", "Krawczyk", "Kaczmarek", "Zając", "Lewandowski/Lewandowska", "Wieczorek",
           "Dudek", "Pawlak", "Sikora") },
    { "it",
      STRS("Giulia", "Francesca", "Chiara", "Sara", "Valentina", "Alessandra", "Silvia"),
      STRS("Marco", "Luca", "Matteo", "Giuseppe", "Andrea", "Davide", "Stefano"),
      STRS("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
           "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca") },
    { "el",
      STRS("Eleni", "Maria", "Katerina", "Sofia", "Despina", "Georgia", "Vasiliki"),
      STRS("Nikos", "Giorgos", "Kostas", "Dimitris", "Yannis", "Christos", "Theo"),
      STRS("Papadopoulos/Papadopoulou", "Georgiou", "Nikolaidis/Nikolaidou",
           "Konstantinidis/Konstantinidou", "Christodoulou", "Pappas", "Alexiou",
           "Dimitriou", "Karagiannis/Karagianni") },
    { "tr",
      STRS("Ayşe", "Elif", "Zeynep", "Fatma", "Emine", "Derya", "Selin"),
      STRS("Mehmet", "Mustafa", "Ahmet", "Emre", "Can", "Murat", "Deniz"),
      STRS("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Öztürk", "Aydın", "Arslan",
           "Doğan") },
    { "pa",
      STRS("Harpreet", "Gurpreet", "Manpreet", "Jaspreet", "Simran", "Navneet", "Amandeep"),
      STRS("Harpreet", "Gurpreet", "Rajinder", "Baljit", "Kuldeep", "Amandeep", "Jaswinder"),
      STRS("Singh/Kaur", "Sandhu", "Gill", "Dhillon", "Sidhu", "Grewal", "Brar", "Sangha") },
    { "ur",
      STRS("Ayesha", "Fatima", "Sana", "Hina", "Amina", "Zainab", "Saima"),
      STRS("Imran", "Asif", "Bilal", "Usman", "Faisal", "Zubair", "Kamran"),
      STRS("Khan", "Hussain", "Ahmed", "Akhtar", "Iqbal", "Malik", "Mahmood", "Qureshi",
           "Rashid", "Shah") },
};

/* What a profession looks like: how likely MFR is, the technique every one of
 * them has, the others they pick from and the conditions they see. */
const struct profile profiles[PR_COUNT] = {
    [PR_MASSAGE] = { 650, -1, 750,
        { [T_TRIGGER] = 9, [T_DEEP] = 9, [T_REMEDIAL] = 5, [T_SWEDISH] = 7, [T_CRANIO] = 4,
          [T_CUPPING] = 4, [T_HYDRO] = 2, [T_HEAT] = 4, [T_STRETCH] = 4, [T_FOAM] = 2 },
        { [C_CFS] = 5, [C_MPS] = 7, [C_BACK] = 6, [C_NECK] = 7, [C_HEAD] = 5, [C_SPORTS] = 3,
          [C_WHIPLASH] = 2, [C_ARTHRITIS] = 3 } },
    [PR_PT] = { 600, T_EXERCISE, 550,
        { [T_TRIGGER] = 5, [T_DRYNEEDLE] = 6, [T_IASTM] = 5, [T_STRETCH] = 5, [T_FOAM] = 4,
          [T_MOVEMENT] = 3, [T_HEAT] = 2, [T_CRANIO] = 1 },
        { [C_CFS] = 2, [C_MPS] = 5, [C_BACK] = 8, [C_NECK] = 6, [C_HEAD] = 2, [C_SPORTS] = 7,
          [C_WHIPLASH] = 4, [C_ARTHRITIS] = 5 } },
    [PR_CHIRO] = { 400, T_SPINAL, 350,
        { [T_IASTM] = 5, [T_EXERCISE] = 4, [T_TRIGGER] = 5, [T_CUPPING] = 3, [T_HEAT] = 3,
          [T_STRETCH] = 3, [T_DEEP] = 1 },
        { [C_CFS] = 1, [C_MPS] = 3, [C_BACK] = 9, [C_NECK] = 8, [C_HEAD] = 6, [C_SPORTS] = 4,
          [C_WHIPLASH] = 7, [C_ARTHRITIS] = 2 } },
    [PR_OT] = { 550, -1, 850,
        { [T_EXERCISE] = 6, [T_MOVEMENT] = 5, [T_STRETCH] = 5, [T_HEAT] = 3, [T_FOAM] = 3,
          [T_CRANIO] = 3, [T_HYDRO] = 1 },
        { [C_CFS] = 5, [C_MPS] = 3, [C_BACK] = 3, [C_NECK] = 3, [C_HEAD] = 1, [C_SPORTS] = 1,
          [C_WHIPLASH] = 3, [C_ARTHRITIS] = 7 } },
    [PR_OSTEO] = { 550, -1, 450,
        { [T_CRANIO] = 7, [T_SPINAL] = 5, [T_STRETCH] = 4, [T_EXERCISE] = 3, [T_TRIGGER] = 3,
          [T_HEAT] = 2, [T_MOVEMENT] = 1 },
        { [C_CFS] = 3, [C_MPS] = 4, [C_BACK] = 8, [C_NECK] = 6, [C_HEAD] = 5, [C_SPORTS] = 3,
          [C_WHIPLASH] = 4, [C_ARTHRITIS] = 3 } },
    [PR_PHYSIO] = { 550, T_EXERCISE, 600,
        { [T_TRIGGER] = 5, [T_DRYNEEDLE] = 6, [T_IASTM] = 4, [T_STRETCH] = 5, [T_FOAM] = 4,
          [T_MOVEMENT] = 3, [T_HEAT] = 2, [T_HYDRO] = 2, [T_CRANIO] = 1 },
        { [C_CFS] = 2, [C_MPS] = 5, [C_BACK] = 8, [C_NECK] = 6, [C_HEAD] = 2, [C_SPORTS] = 7,
          [C_WHIPLASH] = 4, [C_ARTHRITIS] = 5 } },
    [PR_MYO] = { 650, -1, 600,
        { [T_TRIGGER] = 9, [T_DRYNEEDLE] = 8, [T_CUPPING] = 6, [T_REMEDIAL] = 6, [T_DEEP] = 6,
          [T_IASTM] = 4, [T_STRETCH] = 4, [T_FOAM] = 3, [T_HEAT] = 2 },
        { [C_CFS] = 2, [C_MPS] = 8, [C_BACK] = 7, [C_NECK] = 7, [C_HEAD] = 5, [C_SPORTS] = 7,
          [C_WHIPLASH] = 3, [C_ARTHRITIS] = 2 } },
};

/* Credentials as they are written in each country. */
const struct strlist credentials[CO_COUNT][PR_COUNT] = {
    [CO_US] = {
        [PR_MASSAGE] = STRS("LMT", "LMT", "LMT", "LMT, BCTMB", "LMT, CMTPT", "LMT, NCTMB"),
        [PR_PT] = STRS("PT, DPT", "PT, DPT", "DPT", "PT, DPT, OCS", "PT, MPT", "DPT, CMTPT"),
        [PR_CHIRO] = STRS("DC", "DC", "DC, CCSP", "DC, CSCS", "DC, DACBSP"),
        [PR_OT] = STRS("OTR/L", "OTD, OTR/L", "MS, OTR/L", "OTR/L, CHT"),
        [PR_OSTEO] = STRS("DO", "DO", "DO, FAAO"),
        [PR_PHYSIO] = STRS("PT"),
        [PR_MYO] = STRS("LMT"),
    },
    [CO_CA] = {
        [PR_MASSAGE] = STRS("RMT"),
        [PR_PT] = STRS("PT"),
        [PR_CHIRO] = STRS("DC", "DC", "DC, FRCCSS(C)"),
        [PR_OT] = STRS("OT Reg.", "MScOT, OT Reg."),
        [PR_OSTEO] = STRS("DOMP", "M.OMSc"),
        [PR_PHYSIO] = STRS("PT", "MScPT, PT", "BScPT, FCAMPT"),
        [PR_MYO] = STRS("RMT"),
    },
    [CO_GB] = {
        [PR_MASSAGE] = STRS("Dip. Sports & Remedial Massage", "ITEC Dip., MFHT", "L5 Dip. SRM, MSMA"),
        [PR_PT] = STRS("MCSP"),
        [PR_CHIRO] = STRS("MChiro", "MChiro, DC"),
        [PR_OT] = STRS("BSc (Hons) OT, HCPC", "MSc OT, RCOT"),
        [PR_OSTEO] = STRS("BOst", "MOst", "BSc (Hons) Ost"),
        [PR_PHYSIO] = STRS("MCSP, HCPC", "BSc (Hons), MCSP", "MSc, MCSP, HCPC"),
        [PR_MYO] = STRS("L5 Dip. SRM"),
    },
    [CO_DE] = {
        [PR_MASSAGE] = STRS("Staatl. Examen Massage", "Med. Massage, Lymphdrainage"),
        [PR_PT] = STRS("B.Sc. Physiotherapie"),
        [PR_CHIRO] = STRS("DC (Chiropraktik)"),
        [PR_OT] = STRS("B.Sc. Ergotherapie"),
        [PR_OSTEO] = STRS("D.O. (BAO)", "M.Sc. Osteopathie"),
        [PR_PHYSIO] = STRS("B.Sc. Physiotherapie", "B.Sc. Physiotherapie, Manuelle Therapie",
                           "Staatl. Examen Physiotherapie"),
        [PR_MYO] = STRS("Staatl. Examen Massage"),
    },
    [CO_AU] = {
        [PR_MASSAGE] = STRS("Dip. Remedial Massage", "Dip. RM, AMT member"),
        [PR_PT] = STRS("BPhty"),
        [PR_CHIRO] = STRS("B.Chiro, M.Chiro", "M.Chiro"),
        [PR_OT] = STRS("BOccThy", "MOT"),
        [PR_OSTEO] = STRS("B.Sc (Clin Sc), M.HSc (Ost)", "M.Ost"),
        [PR_PHYSIO] = STRS("BPhty, APAM", "DPT, APAM", "MPhty (Musculoskeletal)"),
        [PR_MYO] = STRS("Adv. Dip. Myotherapy", "B.HSc (Myotherapy)"),
    },
};

const char *profession_noun(enum profession p, enum country co)
{
    switch (p) {
    case PR_MASSAGE:
        return co == CO_CA ? "registered massage therapist"
             : co == CO_GB ? "sports and remedial massage therapist"
             : co == CO_AU ? "remedial massage therapist" : "massage therapist";
    case PR_PT: return "physical therapist";
    case PR_CHIRO: return "chiropractor";
    case PR_OT: return "occupational therapist";
    case PR_OSTEO: return co == CO_US ? "osteopathic physician" : "osteopath";
    case PR_PHYSIO: return "physiotherapist";
    case PR_MYO: return "myotherapist";
    default: return "therapist";
    }
}

/* ------------------------------------------------------------------------ */
/* Clinics and services.                                                     */


const unsigned char kind_weight[CO_COUNT][K_COUNT] = {
    [CO_US] = { 16, 16, 30, 22, 14, 2 },
    [CO_CA] = { 16, 22, 30, 16, 12, 4 },
    [CO_GB] = { 14, 20, 34, 10, 10, 12 },
    [CO_DE] = { 12, 22, 40, 6, 8, 12 },
    [CO_AU] = { 14, 22, 30, 14, 10, 10 },
};

/* Who works in each kind of clinic.  The PR_PT column stands for physical
 * therapists in the US and physiotherapists elsewhere; myotherapists only
 * exist in Australia. */
const unsigned char kind_staff[K_COUNT][PR_COUNT] = {
    [K_MFR] = { 45, 38, 5, 8, 4, 0, 10 },
    [K_MASSAGE] = { 90, 3, 0, 2, 0, 0, 30 },
    [K_PHYSIO] = { 15, 75, 0, 10, 0, 0, 8 },
    [K_CHIRO] = { 35, 5, 60, 0, 0, 0, 5 },
    [K_INTEGRATIVE] = { 35, 25, 15, 10, 10, 0, 10 },
    [K_OSTEO] = { 20, 10, 0, 0, 70, 0, 5 },
};

const struct strlist kind_names[CO_COUNT][K_COUNT] = {
    [CO_US] = {
        [K_MFR] = STRS("Myofascial Therapy", "Myofascial Release Center", "MFR Clinic", "Fascia & Pain Relief"),
        [K_MASSAGE] = STRS("Massage & Bodywork", "Massage Therapy", "Therapeutic Massage", "Healing Arts"),
        [K_PHYSIO] = STRS("Physical Therapy", "Physical Therapy & Rehab", "Sports & Spine Physical Therapy", "PT"),
        [K_CHIRO] = STRS("Chiropractic & Wellness", "Chiropractic", "Spine & Wellness Center", "Family Chiropractic"),
        [K_INTEGRATIVE] = STRS("Integrative Health", "Wellness Collective", "Pain Relief Clinic", "Healing Center"),
        [K_OSTEO] = STRS("Osteopathic Medicine", "Osteopathic Care"),
    },
    [CO_CA] = {
        [K_MFR] = STRS("Myofascial Therapy", "Myofascial Release Centre"),
        [K_MASSAGE] = STRS("Massage Therapy", "RMT Clinic", "Massage & Wellness"),
        [K_PHYSIO] = STRS("Physiotherapy", "Physiotherapy & Rehab", "Physio"),
        [K_CHIRO] = STRS("Chiropractic & Wellness", "Chiropractic"),
        [K_INTEGRATIVE] = STRS("Integrative Health", "Wellness Centre", "Health Collective"),
        [K_OSTEO] = STRS("Osteopathy", "Osteopathic Clinic"),
    },
    [CO_GB] = {
        [K_MFR] = STRS("Myofascial Therapy", "Myofascial Release Clinic"),
        [K_MASSAGE] = STRS("Sports & Remedial Massage", "Massage Therapy", "Bodywork Studio"),
        [K_PHYSIO] = STRS("Physiotherapy", "Physio", "Physiotherapy Clinic"),
        [K_CHIRO] = STRS("Chiropractic Clinic", "Chiropractic"),
        [K_INTEGRATIVE] = STRS("Wellbeing Centre", "Health Collective", "Pain Clinic"),
        [K_OSTEO] = STRS("Osteopaths", "Osteopathy", "Osteopathic Practice"),
    },
    [CO_DE] = {  /* these come first: "Physiotherapie am Kollwitzplatz" */
        [K_MFR] = STRS("Faszientherapie", "Zentrum für Faszientherapie"),
        [K_MASSAGE] = STRS("Massagepraxis", "Massage & Körperarbeit"),
        [K_PHYSIO] = STRS("Physiotherapie", "Praxis für Physiotherapie"),
        [K_CHIRO] = STRS("Chiropraktik"),
        [K_INTEGRATIVE] = STRS("Gesundheitszentrum", "Therapiezentrum"),
        [K_OSTEO] = STRS("Osteopathie", "Praxis für Osteopathie"),
    },
    [CO_AU] = {
        [K_MFR] = STRS("Myofascial Therapy", "Myotherapy & MFR"),
        [K_MASSAGE] = STRS("Remedial Massage", "Massage Therapy", "Myotherapy"),
        [K_PHYSIO] = STRS("Physiotherapy", "Physio", "Sports Physio"),
        [K_CHIRO] = STRS("Chiropractic", "Chiropractic & Wellness"),
        [K_INTEGRATIVE] = STRS("Health Collective", "Wellness Centre", "Allied Health"),
        [K_OSTEO] = STRS("Osteopathy", "Osteo"),
    },
};

const struct strlist stems_us = STRS(
    "Riverside", "Harbor", "Cedar", "Willow", "Summit", "Evergreen", "Northside", "Bridgeway",
    "Oak Tree", "Still Point", "Gentle Path", "Open Hands", "Balance", "Restore", "Stillwater",
    "Whole Body", "Blue Heron", "True North", "Kindred", "Mosaic", "Juniper", "Sequoia");
const struct strlist stems_commonwealth = STRS(
    "Riverside", "Harbour", "Cedar", "Willow", "Summit", "Northside", "Oak Tree", "Still Point",
    "Gentle Path", "Open Hands", "Balance", "Restore", "Stillwater", "Whole Body", "Kindred",
    "Mosaic", "Juniper", "Heron", "Meadow", "Lighthouse");


/* The service every practitioner of a profession offers. */
const enum svc_type core_service[PR_COUNT] = {
    [PR_MASSAGE] = SV_MASSAGE, [PR_PT] = SV_PT, [PR_CHIRO] = SV_CHIRO, [PR_OT] = SV_OT,
    [PR_OSTEO] = SV_OSTEO, [PR_PHYSIO] = SV_PT, [PR_MYO] = SV_MYO,
};

const char *service_name(enum svc_type t, enum country co)
{
    switch (t) {
    case SV_ASSESS: return "Initial assessment";
    case SV_MFR: return "Myofascial release session";
    case SV_MASSAGE: return co == CO_GB || co == CO_AU ? "Remedial massage" : "Therapeutic massage";
    case SV_PT: return co == CO_US ? "Physical therapy follow-up" : "Physiotherapy follow-up";
    case SV_CHIRO: return "Chiropractic adjustment";
    case SV_OT: return "Occupational therapy session";
    case SV_OSTEO: return co == CO_US ? "Osteopathic manipulative treatment" : "Osteopathic treatment";
    case SV_MYO: return "Myotherapy treatment";
    case SV_DRYNEEDLE: return "Dry needling";
    case SV_CRANIO: return "Craniosacral therapy";
    case SV_HOME: return "Home visit: myofascial release";
    case SV_FIBRO: return "Gentle session for fibromyalgia";
    default: return "Treatment";
    }
}

/* ------------------------------------------------------------------------ */
/* Bios: a few sentences assembled from templates.  Placeholders: {F} first
 * name, {P} profession with article, {C} city, {N} neighbourhood, {K} clinic,
 * {Y} years, {T1} {T2} techniques, {D1} {D2} conditions, {L} languages.      */

const struct strlist bio_intro = STRS(
    "{F} is {P} in {N} with {Y} years of experience.",
    "{F} has been {P} for {Y} years.",
    "{F} is {P} who works mainly with long-term pain.",
    "{F} became {P} after years of back pain.",
    "{F} is {P} at {K}.",
    "With {Y} years in practice, {F} works mostly with chronic pain.");
const struct strlist bio_mfr = STRS(
    "Sessions use myofascial release: slow, gentle sustained pressure.",
    "{F} trained in the John F. Barnes MFR approach and never forces the tissue.",
    "MFR sessions are quiet and unhurried, with long assisted stretches.",
    "{F} pairs myofascial release with {T1}.",
    "Expect gentle, sustained pressure, never deep force.");
const struct strlist bio_other = STRS(
    "{F} combines {T1} and {T2}.",
    "Treatment blends {T1} with {T2}, adjusted to how you feel.",
    "Most sessions include {T1} and simple home exercises.");
const struct strlist bio_conditions = STRS(
    "Many clients live with {D1} or {D2}.",
    "{F} has a special interest in {D1} and {D2}.",
    "Clients often come with {D1}.");
const struct strlist bio_general = STRS(
    "Short 30-minute sessions suit those who tire easily.",
    "Visits are spaced to how your body responds.",
    "You can pause or stop at any time.");


/* The names of a language, or NULL. */
const struct name_pool *find_pool(const char *lang)
{
    for (size_t i = 0; i < COUNT(name_pools); i++)
        if (strcmp(name_pools[i].lang, lang) == 0)
            return &name_pools[i];
    return NULL;
}

/* The everyday name of a language code, or the code. */
const char *language_name(const char *code)
{
    for (size_t i = 0; i < COUNT(language_names); i++)
        if (strcmp(language_names[i].code, code) == 0)
            return language_names[i].name;
    return code;
}
