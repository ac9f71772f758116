/* Generates a deterministic, believable demo directory and loads it with COPY for `clinicd seed-demo`. */
#include "cli/seed.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/seed.h"

#define DEFAULT_PRACTITIONERS 320L
#define MAX_PRACTITIONERS 1000000L
#define DEFAULT_SEED UINT64_C(42)

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A constant list of strings; STRS("a", "b") initialises one in place. */
struct strlist {
    const char *const *v;
    size_t n;
};
#define STRS(...) { (const char *const[]){ __VA_ARGS__ }, \
                    sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *) }

/* ------------------------------------------------------------------------ */
/* Vocabulary: must match the slugs inserted by migrations/0002.            */

enum profession { PR_MASSAGE, PR_PT, PR_CHIRO, PR_OT, PR_OSTEO, PR_PHYSIO, PR_MYO, PR_COUNT };
static const char *const profession_slug[PR_COUNT] = {
    "massage-therapist", "physical-therapist", "chiropractor", "occupational-therapist",
    "osteopath", "physiotherapist", "myotherapist",
};

enum technique {
    T_MFR, T_TRIGGER, T_DEEP, T_REMEDIAL, T_SWEDISH, T_CRANIO, T_IASTM, T_CUPPING,
    T_DRYNEEDLE, T_SPINAL, T_EXERCISE, T_HYDRO, T_HEAT, T_STRETCH, T_FOAM, T_MOVEMENT,
    T_COUNT
};
static const char *const technique_slug[T_COUNT] = {
    "myofascial-release", "trigger-point-therapy", "deep-tissue-massage", "remedial-massage",
    "swedish-massage", "craniosacral-therapy", "iastm", "cupping", "dry-needling",
    "spinal-manipulation", "therapeutic-exercise", "hydrotherapy", "heat-therapy",
    "guided-stretching", "foam-roller-coaching", "movement-therapy",
};
/* How a bio names each technique in running text. */
static const char *const technique_phrase[T_COUNT] = {
    "myofascial release", "trigger point therapy", "deep tissue massage", "remedial massage",
    "Swedish massage", "craniosacral therapy", "instrument-assisted soft tissue work",
    "cupping", "dry needling", "spinal manipulation", "therapeutic exercise", "hydrotherapy",
    "heat therapy", "guided stretching", "foam-roller coaching",
    "tai chi-style movement",
};

enum condition {
    C_FIBRO, C_CFS, C_MPS, C_BACK, C_NECK, C_HEAD, C_SPORTS, C_WHIPLASH, C_ARTHRITIS, C_COUNT
};
static const char *const condition_slug[C_COUNT] = {
    "fibromyalgia", "chronic-fatigue-syndrome", "myofascial-pain-syndrome",
    "chronic-low-back-pain", "neck-shoulder-pain", "headaches-tmj", "sports-injury",
    "whiplash-trauma", "arthritis-pain",
};
static const char *const condition_phrase[C_COUNT] = {
    "fibromyalgia", "chronic fatigue syndrome", "myofascial pain syndrome",
    "chronic low back pain", "neck and shoulder pain", "headaches and TMJ", "sports injuries",
    "whiplash after car accidents", "arthritis pain",
};

/* ------------------------------------------------------------------------ */
/* Places.                                                                   */

enum country { CO_US, CO_CA, CO_GB, CO_DE, CO_AU, CO_COUNT };

struct country_info {
    const char *iso2;
    const char *tld;
    bool number_after_street;   /* "Kastanienallee 34" rather than "34 Upper Street" */
    const char *centre;         /* spelling */
};
static const struct country_info countries[CO_COUNT] = {
    [CO_US] = { "US", ".com", false, "Center" },
    [CO_CA] = { "CA", ".ca", false, "Centre" },
    [CO_GB] = { "GB", ".co.uk", false, "Centre" },
    [CO_DE] = { "DE", ".de", true, "Zentrum" },
    [CO_AU] = { "AU", ".com.au", false, "Centre" },
};

/* A neighbourhood: real centre, a jitter radius that keeps points out of the
 * water, and its real postcode (US, DE, AU) or the first half of it (CA, GB). */
struct hood {
    const char *name;
    double lat, lon;
    int radius_m;
    const char *postcode;
    const char *street[3];
};

struct lang_odds {
    const char *code;
    int permille;
};

struct city {
    const char *name, *region;
    enum country country;
    const char *tz, *currency;
    int weight;            /* share of practitioners */
    int price_pct;         /* local price level, currency included (USD = 100) */
    int m_per_deg_lon;     /* 111320 * cos(latitude) */
    const char *phone_prefix;
    int phone_digits;      /* random digits after the (fictional-range) prefix */
    const char *base_lang;
    const struct lang_odds *langs;
    size_t nlangs;
    const struct hood *hoods;
    size_t nhoods;
    struct strlist stems;  /* local names for clinics */
    int max_street_no;     /* highest US/CA house number here; 0 elsewhere */
};

#define LANGS(...) (const struct lang_odds[]){ __VA_ARGS__ }, \
                   sizeof((const struct lang_odds[]){ __VA_ARGS__ }) / sizeof(struct lang_odds)
#define HOODS(...) (const struct hood[]){ __VA_ARGS__ }, \
                   sizeof((const struct hood[]){ __VA_ARGS__ }) / sizeof(struct hood)

static const struct city cities[] = {
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
#define NCITIES COUNT(cities)

/* Everyday names of languages for bios. */
static const struct { const char *code, *name; } language_names[] = {
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
struct name_pool {
    const char *lang;
    struct strlist female, male, last;
};
static const struct name_pool name_pools[] = {
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
struct profile {
    int mfr_permille;
    int core;                  /* technique, or -1 */
    int female_permille;
    unsigned char tech_w[T_COUNT];
    unsigned char cond_w[C_COUNT];
};
static const struct profile profiles[PR_COUNT] = {
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
static const struct strlist credentials[CO_COUNT][PR_COUNT] = {
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

static const char *profession_noun(enum profession p, enum country co)
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

enum clinic_kind { K_MFR, K_MASSAGE, K_PHYSIO, K_CHIRO, K_INTEGRATIVE, K_OSTEO, K_COUNT };

static const unsigned char kind_weight[CO_COUNT][K_COUNT] = {
    [CO_US] = { 16, 16, 30, 22, 14, 2 },
    [CO_CA] = { 16, 22, 30, 16, 12, 4 },
    [CO_GB] = { 14, 20, 34, 10, 10, 12 },
    [CO_DE] = { 12, 22, 40, 6, 8, 12 },
    [CO_AU] = { 14, 22, 30, 14, 10, 10 },
};

/* Who works in each kind of clinic.  The PR_PT column stands for physical
 * therapists in the US and physiotherapists elsewhere; myotherapists only
 * exist in Australia. */
static const unsigned char kind_staff[K_COUNT][PR_COUNT] = {
    [K_MFR] = { 45, 38, 5, 8, 4, 0, 10 },
    [K_MASSAGE] = { 90, 3, 0, 2, 0, 0, 30 },
    [K_PHYSIO] = { 15, 75, 0, 10, 0, 0, 8 },
    [K_CHIRO] = { 35, 5, 60, 0, 0, 0, 5 },
    [K_INTEGRATIVE] = { 35, 25, 15, 10, 10, 0, 10 },
    [K_OSTEO] = { 20, 10, 0, 0, 70, 0, 5 },
};

static const struct strlist kind_names[CO_COUNT][K_COUNT] = {
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

static const struct strlist stems_us = STRS(
    "Riverside", "Harbor", "Cedar", "Willow", "Summit", "Evergreen", "Northside", "Bridgeway",
    "Oak Tree", "Still Point", "Gentle Path", "Open Hands", "Balance", "Restore", "Stillwater",
    "Whole Body", "Blue Heron", "True North", "Kindred", "Mosaic", "Juniper", "Sequoia");
static const struct strlist stems_commonwealth = STRS(
    "Riverside", "Harbour", "Cedar", "Willow", "Summit", "Northside", "Oak Tree", "Still Point",
    "Gentle Path", "Open Hands", "Balance", "Restore", "Stillwater", "Whole Body", "Kindred",
    "Mosaic", "Juniper", "Heron", "Meadow", "Lighthouse");

enum svc_type {
    SV_ASSESS, SV_MFR, SV_MASSAGE, SV_PT, SV_CHIRO, SV_OT, SV_OSTEO, SV_MYO, SV_DRYNEEDLE,
    SV_CRANIO, SV_HOME, SV_FIBRO, SV_COUNT
};

/* The service every practitioner of a profession offers. */
static const enum svc_type core_service[PR_COUNT] = {
    [PR_MASSAGE] = SV_MASSAGE, [PR_PT] = SV_PT, [PR_CHIRO] = SV_CHIRO, [PR_OT] = SV_OT,
    [PR_OSTEO] = SV_OSTEO, [PR_PHYSIO] = SV_PT, [PR_MYO] = SV_MYO,
};

static const char *service_name(enum svc_type t, enum country co)
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

static const struct strlist bio_intro = STRS(
    "{F} is {P} in {N} with {Y} years of experience.",
    "{F} has been {P} for {Y} years.",
    "{F} is {P} who works mainly with long-term pain.",
    "{F} became {P} after years of back pain.",
    "{F} is {P} at {K}.",
    "With {Y} years in practice, {F} works mostly with chronic pain.");
static const struct strlist bio_mfr = STRS(
    "Sessions use myofascial release: slow, gentle sustained pressure.",
    "{F} trained in the John F. Barnes MFR approach and never forces the tissue.",
    "MFR sessions are quiet and unhurried, with long assisted stretches.",
    "{F} pairs myofascial release with {T1}.",
    "Expect gentle, sustained pressure, never deep force.");
static const struct strlist bio_other = STRS(
    "{F} combines {T1} and {T2}.",
    "Treatment blends {T1} with {T2}, adjusted to how you feel.",
    "Most sessions include {T1} and simple home exercises.");
static const struct strlist bio_conditions = STRS(
    "Many clients live with {D1} or {D2}.",
    "{F} has a special interest in {D1} and {D2}.",
    "Clients often come with {D1}.");
static const struct strlist bio_general = STRS(
    "Short 30-minute sessions suit those who tire easily.",
    "Visits are spaced to how your body responds.",
    "You can pause or stop at any time.");

/* ------------------------------------------------------------------------ */
/* Deterministic random numbers: splitmix64 seeds xoshiro256**.              */

struct rng {
    uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Each clinic gets its own stream, so it depends only on (seed, index). */
static void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed;
    uint64_t y = stream ^ UINT64_C(0x5EED5EED5EED5EED);
    uint64_t mix = splitmix64(&x) ^ splitmix64(&y);
    for (size_t i = 0; i < 4; i++)
        r->s[i] = splitmix64(&mix);
}

static uint64_t rotl(uint64_t v, int k)
{
    return (v << k) | (v >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n), n > 0, without modulo bias (Lemire). */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
    uint64_t m = (rng_next(r) >> 32) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t threshold = (0u - n) % n;
        while (low < threshold) {
            m = (rng_next(r) >> 32) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

static int rng_range(struct rng *r, int lo, int hi)
{
    return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

static bool rng_chance(struct rng *r, int permille)
{
    return (int)rng_below(r, 1000) < permille;
}

static const char *rng_pick(struct rng *r, const struct strlist *l)
{
    return l->v[rng_below(r, (uint32_t)l->n)];
}

/* Index drawn with the given weights, or -1 if they are all zero. */
static int rng_weighted(struct rng *r, const int *w, int n)
{
    int total = 0;
    for (int i = 0; i < n; i++)
        total += w[i];
    if (total <= 0)
        return -1;
    int x = (int)rng_below(r, (uint32_t)total);
    for (int i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return -1;
}

/* lo + an index drawn with the weights: most people list a few things, few many. */
static int rng_skewed(struct rng *r, int lo, const int *w, int n)
{
    int i = rng_weighted(r, w, n);
    return lo + (i < 0 ? 0 : i);
}

#define UUID_LEN 37

/* A version-4 UUID from the stream. */
static void rng_uuid(struct rng *r, char out[UUID_LEN])
{
    uint64_t hi = rng_next(r), lo = rng_next(r);
    hi = (hi & ~UINT64_C(0xF000)) | UINT64_C(0x4000);
    lo = (lo & ~(UINT64_C(0xC) << 60)) | (UINT64_C(0x8) << 60);
    snprintf(out, UUID_LEN, "%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%012" PRIx64,
             hi >> 32, (hi >> 16) & 0xFFFF, hi & 0xFFFF, lo >> 48, lo & UINT64_C(0xFFFFFFFFFFFF));
}

/* ------------------------------------------------------------------------ */
/* Small string builder over a fixed buffer; it truncates rather than grows,
 * and every buffer here is sized well above what the templates produce.    */

struct sb {
    char *p;
    size_t cap, len;
};

static void sb_init(struct sb *b, char *buf, size_t cap)
{
    b->p = buf;
    b->cap = cap;
    b->len = 0;
    buf[0] = '\0';
}

static void sb_putn(struct sb *b, const char *s, size_t n)
{
    if (b->len + n >= b->cap)
        n = b->cap - 1 - b->len;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_puts(struct sb *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    b->len += (size_t)n < b->cap - b->len ? (size_t)n : b->cap - 1 - b->len;
}

/* ------------------------------------------------------------------------ */
/* The generated world, one clinic at a time.                                */

#define MAX_LOCS 3
#define MAX_STAFF 14
#define MAX_SVCS 20
#define MAX_TECH 6
#define MAX_COND 6
#define MAX_LANGS 6
#define MAX_PSVC 5

/* 2021-06-01T00:00:00Z: clinics join the directory over the following years. */
#define EPOCH_START INT64_C(1622505600)
#define DAY INT64_C(86400)

struct location {
    char id[UUID_LEN];
    const struct hood *hood;
    char address[160];
    char postcode[16];
    long lat_u, lon_u;     /* microdegrees */
    bool wheelchair;
    int64_t created;
};

struct practitioner {
    char id[UUID_LEN];
    char first[64];
    char name[160];
    enum profession prof;
    const char *credentials;
    char bio[2048];
    const char *langs[MAX_LANGS];
    int nlangs;
    bool accepting, home, sliding;
    int years;
    int64_t created, updated;
    int loc[2], nloc;
    int tech[MAX_TECH], ntech;
    int cond[MAX_COND], ncond;
    int svc[MAX_PSVC], nsvc;
};

struct service {
    char id[UUID_LEN];
    enum svc_type type;
    const char *name;
    int minutes, price_cents, before, after;
    int64_t created;
};

struct clinic {
    char id[UUID_LEN];
    const struct city *city;
    enum clinic_kind kind;
    char name[200];
    char website[200];
    bool has_website;
    char phone[40];
    int64_t created;
    struct location loc[MAX_LOCS];
    int nloc;
    struct practitioner staff[MAX_STAFF];
    int nstaff;
    struct service svc[MAX_SVCS];
    int nsvc;
};

/* Walks the clinics in order; the same seed and target give the same walk. */
struct gen {
    uint64_t seed;
    long target, made, index;
    long city_made[NCITIES];
    long kind_made[CO_COUNT][K_COUNT];
};

static void gen_init(struct gen *g, uint64_t seed, long target)
{
    memset(g, 0, sizeof(*g));
    g->seed = seed;
    g->target = target;
}

/* Clinic sizes: about 30% solo practices, a mean between 4 and 5. */
static int draw_size(struct rng *r)
{
    int x = (int)rng_below(r, 100);
    if (x < 30)
        return 1;
    if (x < 62)
        return rng_range(r, 2, 4);
    if (x < 87)
        return rng_range(r, 5, 8);
    return rng_range(r, 9, 14);
}

/* The city furthest behind its share of practitioners once this clinic is
 * counted: keeps every city (Portland above all) at its share at any size. */
static size_t pick_city(const struct gen *g, int size)
{
    long long wsum = 0, best_score = 0;
    size_t best = 0;
    for (size_t i = 0; i < NCITIES; i++)
        wsum += cities[i].weight;
    for (size_t i = 0; i < NCITIES; i++) {
        long long score = (long long)cities[i].weight * (g->made + size) -
                          (long long)g->city_made[i] * wsum;
        if (i == 0 || score > best_score) {
            best_score = score;
            best = i;
        }
    }
    return best;
}

/* Likewise for the kind of clinic within the country, so that the mix of
 * professions is right even at the default size. */
static enum clinic_kind pick_kind(const struct gen *g, enum country co, int size)
{
    long long wsum = 0, made = 0, best_score = 0;
    int best = 0;
    for (int k = 0; k < K_COUNT; k++) {
        wsum += kind_weight[co][k];
        made += g->kind_made[co][k];
    }
    for (int k = 0; k < K_COUNT; k++) {
        long long score = (long long)kind_weight[co][k] * (made + size) -
                          (long long)g->kind_made[co][k] * wsum;
        if (k == 0 || score > best_score) {
            best_score = score;
            best = k;
        }
    }
    return (enum clinic_kind)best;
}

static long micro(double deg)
{
    return (long)(deg * 1e6 + (deg < 0 ? -0.5 : 0.5));
}

static long div_round(long a, long b)
{
    return a >= 0 ? (a + b / 2) / b : -((-a + b / 2) / b);
}

static void gen_postcode(struct rng *r, enum country co, const char *base, char *out, size_t n)
{
    static const char ca_letters[] = "ABCEGHJKLMNPRSTVWXYZ";
    static const char gb_letters[] = "ABDEFGHJLNPQRSTUWXYZ";
    if (co == CO_CA)
        snprintf(out, n, "%s %d%c%d", base, rng_range(r, 1, 9),
                 ca_letters[rng_below(r, sizeof(ca_letters) - 1)], rng_range(r, 0, 9));
    else if (co == CO_GB)
        snprintf(out, n, "%s %d%c%c", base, rng_range(r, 1, 9),
                 gb_letters[rng_below(r, sizeof(gb_letters) - 1)],
                 gb_letters[rng_below(r, sizeof(gb_letters) - 1)]);
    else
        snprintf(out, n, "%s", base);
}

static void gen_address(struct rng *r, const struct city *ci, const struct hood *h, char *out, size_t n)
{
    enum country co = ci->country;
    int max_no = ci->max_street_no ? ci->max_street_no : 4999;
    size_t nstreets = 0;
    while (nstreets < COUNT(h->street) && h->street[nstreets])
        nstreets++;
    const char *street = h->street[rng_below(r, (uint32_t)nstreets)];
    struct sb b;
    sb_init(&b, out, n);
    switch (co) {
    case CO_US:
    case CO_CA:
        sb_printf(&b, "%d %s", rng_range(r, max_no < 1000 ? 1 : 100, max_no), street);
        if (rng_chance(r, 350))
            sb_printf(&b, ", Suite %d", rng_range(r, 1, 4) * 100 + rng_range(r, 1, 20));
        break;
    case CO_GB:
        if (rng_chance(r, 150))
            sb_puts(&b, rng_chance(r, 500) ? "First Floor, " : "Ground Floor, ");
        else if (rng_chance(r, 100))
            sb_printf(&b, "Unit %d, ", rng_range(r, 1, 12));
        sb_printf(&b, "%d %s", rng_range(r, 1, 240), street);
        break;
    case CO_DE:
        sb_printf(&b, "%s %d", street, rng_range(r, 1, 180));
        if (rng_chance(r, 100))
            sb_puts(&b, rng_chance(r, 500) ? "a" : "b");
        if (rng_chance(r, 200))
            sb_printf(&b, ", %d. OG", rng_range(r, 1, 4));
        break;
    case CO_AU:
        if (rng_chance(r, 150))
            sb_printf(&b, "Suite %d, ", rng_range(r, 1, 12));
        else if (rng_chance(r, 120))
            sb_printf(&b, "Level %d, ", rng_range(r, 1, 9));
        sb_printf(&b, "%d %s", rng_range(r, 1, 600), street);
        break;
    default:
        break;
    }
}

static void gen_location(struct rng *r, const struct clinic *c, const struct hood *h,
                         struct location *l, int64_t created)
{
    const struct city *ci = c->city;
    rng_uuid(r, l->id);
    l->hood = h;
    gen_address(r, ci, h, l->address, sizeof(l->address));
    gen_postcode(r, ci->country, h->postcode, l->postcode, sizeof(l->postcode));
    long rad = h->radius_m, dx, dy;
    do {
        dx = (long)rng_below(r, (uint32_t)(2 * rad + 1)) - rad;
        dy = (long)rng_below(r, (uint32_t)(2 * rad + 1)) - rad;
    } while (dx * dx + dy * dy > rad * rad);
    l->lat_u = micro(h->lat) + div_round(dy * 1000000L, 111320L);
    l->lon_u = micro(h->lon) + div_round(dx * 1000000L, ci->m_per_deg_lon);
    l->wheelchair = rng_chance(r, 700);
    l->created = created;
}

static const struct name_pool *find_pool(const char *lang)
{
    for (size_t i = 0; i < COUNT(name_pools); i++)
        if (strcmp(name_pools[i].lang, lang) == 0)
            return &name_pools[i];
    return NULL;
}

/* Copies the masculine or feminine half of "Ivanov/Ivanova". */
static void last_name_form(const char *last, bool female, char *out, size_t n)
{
    const char *slash = strchr(last, '/');
    if (!slash)
        snprintf(out, n, "%s", last);
    else if (female)
        snprintf(out, n, "%s", slash + 1);
    else
        snprintf(out, n, "%.*s", (int)(slash - last), last);
}

static enum profession pick_profession(struct rng *r, enum clinic_kind kind, enum country co)
{
    int w[PR_COUNT];
    for (int i = 0; i < PR_COUNT; i++)
        w[i] = kind_staff[kind][i];
    if (co != CO_US) {
        w[PR_PHYSIO] = w[PR_PT];
        w[PR_PT] = 0;
    }
    if (co != CO_AU)
        w[PR_MYO] = 0;
    int p = rng_weighted(r, w, PR_COUNT);
    return p < 0 ? PR_MASSAGE : (enum profession)p;
}

/* Languages: the city's own first, then some of the local community languages. */
static void gen_languages(struct rng *r, const struct city *ci, struct practitioner *p)
{
    p->nlangs = 0;
    p->langs[p->nlangs++] = ci->base_lang;
    for (size_t i = 0; i < ci->nlangs && p->nlangs < MAX_LANGS; i++)
        if (rng_chance(r, ci->langs[i].permille))
            p->langs[p->nlangs++] = ci->langs[i].code;
}

static void gen_name(struct rng *r, const struct city *ci, struct practitioner *p, bool female)
{
    const struct name_pool *pool = find_pool("en");
    /* People who speak a community language often carry a name from it. */
    for (int i = 1; i < p->nlangs; i++) {
        const struct name_pool *lp = find_pool(p->langs[i]);
        if (lp && strcmp(p->langs[i], "en") != 0 && rng_chance(r, 650)) {
            pool = lp;
            break;
        }
    }
    if (strcmp(ci->base_lang, "en") != 0 && pool == find_pool("en") && rng_chance(r, 800))
        pool = find_pool(ci->base_lang);
    const char *first = rng_pick(r, female ? &pool->female : &pool->male);
    char last[64];
    last_name_form(rng_pick(r, &pool->last), female, last, sizeof(last));
    snprintf(p->first, sizeof(p->first), "%s", first);
    snprintf(p->name, sizeof(p->name), "%s %s", first, last);
}

static bool has_technique(const struct practitioner *p, int t)
{
    for (int i = 0; i < p->ntech; i++)
        if (p->tech[i] == t)
            return true;
    return false;
}

static void gen_techniques(struct rng *r, const struct clinic *c, struct practitioner *p)
{
    const struct profile *pf = &profiles[p->prof];
    int w[T_COUNT];
    p->ntech = 0;
    if (rng_chance(r, c->kind == K_MFR ? 950 : pf->mfr_permille))
        p->tech[p->ntech++] = T_MFR;
    for (int i = 0; i < T_COUNT; i++)
        w[i] = pf->tech_w[i];
    /* Australians call it remedial massage; elsewhere Swedish is the staple. */
    if (c->city->country == CO_AU && p->prof == PR_MASSAGE)
        w[T_REMEDIAL] += 8;
    w[T_MFR] = 0;
    static const int others_w[] = { 45, 30, 17, 8 };    /* 2..5 */
    int others = rng_skewed(r, 2, others_w, (int)COUNT(others_w));
    if (pf->core >= 0) {
        p->tech[p->ntech++] = pf->core;
        w[pf->core] = 0;
        others--;
    }
    while (others-- > 0 && p->ntech < MAX_TECH) {
        int t = rng_weighted(r, w, T_COUNT);
        if (t < 0)
            break;
        p->tech[p->ntech++] = t;
        w[t] = 0;
    }
}

static void gen_conditions(struct rng *r, struct practitioner *p)
{
    const struct profile *pf = &profiles[p->prof];
    int w[C_COUNT];
    static const int want_w[] = { 30, 32, 20, 11, 7 };   /* 2..6 */
    int want = rng_skewed(r, 2, want_w, (int)COUNT(want_w));
    p->ncond = 0;
    if (rng_chance(r, has_technique(p, T_MFR) ? 750 : 450))
        p->cond[p->ncond++] = C_FIBRO;
    for (int i = 0; i < C_COUNT; i++)
        w[i] = pf->cond_w[i];
    w[C_FIBRO] = 0;
    while (p->ncond < want) {
        int d = rng_weighted(r, w, C_COUNT);
        if (d < 0)
            break;
        p->cond[p->ncond++] = d;
        w[d] = 0;
    }
}

static void gen_practitioner(struct rng *r, const struct clinic *c, struct practitioner *p)
{
    const struct city *ci = c->city;
    rng_uuid(r, p->id);
    p->prof = pick_profession(r, c->kind, ci->country);
    gen_languages(r, ci, p);
    bool female = rng_chance(r, profiles[p->prof].female_permille);
    gen_name(r, ci, p, female);
    p->credentials = rng_pick(r, &credentials[ci->country][p->prof]);
    p->accepting = rng_chance(r, 750);
    p->home = rng_chance(r, 200);
    p->sliding = rng_chance(r, 250);
    p->years = rng_range(r, 2, 30);
    p->created = c->created + rng_range(r, 0, 300) * DAY + rng_range(r, 0, 86399);
    p->updated = p->created + rng_range(r, 0, 120) * DAY + rng_range(r, 0, 86399);
    p->loc[0] = (int)rng_below(r, (uint32_t)c->nloc);
    p->nloc = 1;
    if (c->nloc > 1 && rng_chance(r, 300))
        p->loc[p->nloc++] = (p->loc[0] + 1 + (int)rng_below(r, (uint32_t)(c->nloc - 1))) % c->nloc;
    gen_techniques(r, c, p);
    gen_conditions(r, p);
}

/* Lowercase ASCII for a web address; common accented letters transliterated. */
static void domain_label(const char *name, bool hyphens, char *out, size_t n)
{
    static const struct { const char *from, *to; } tr[] = {
        { "ä", "ae" }, { "ö", "oe" }, { "ü", "ue" }, { "ß", "ss" }, { "Ä", "ae" }, { "Ö", "oe" },
        { "Ü", "ue" }, { "é", "e" }, { "è", "e" }, { "ê", "e" }, { "ë", "e" }, { "É", "e" },
        { "á", "a" }, { "à", "a" }, { "â", "a" }, { "ã", "a" }, { "í", "i" }, { "ï", "i" },
        { "ó", "o" }, { "ô", "o" }, { "ú", "u" }, { "ñ", "n" }, { "ç", "c" }, { "Ç", "c" },
        { "ł", "l" }, { "ś", "s" }, { "ş", "s" }, { "Ş", "s" }, { "ı", "i" }, { "ğ", "g" },
        { "ć", "c" }, { "ń", "n" }, { "ż", "z" }, { "ą", "a" }, { "ę", "e" },
    };
    size_t len = 0;
    bool gap = false;
    for (const char *s = name; *s && len + 3 < n && len < 48;) {
        unsigned char ch = (unsigned char)*s;
        if (ch < 0x80) {
            if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z')) {
                if (gap && hyphens && len > 0)
                    out[len++] = '-';
                out[len++] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
                gap = false;
            } else if (ch == ' ') {
                gap = true;
            }
            s++;
            continue;
        }
        size_t k = 0;
        for (; k < COUNT(tr); k++) {
            size_t fl = strlen(tr[k].from);
            if (strncmp(s, tr[k].from, fl) == 0) {
                if (gap && hyphens && len > 0)
                    out[len++] = '-';
                for (const char *t = tr[k].to; *t; t++)
                    out[len++] = *t;
                gap = false;
                s += fl;
                break;
            }
        }
        if (k == COUNT(tr))
            for (s++; ((unsigned char)*s & 0xC0) == 0x80; s++)
                ;
    }
    out[len] = '\0';
}

static void gen_clinic_name(struct rng *r, struct clinic *c)
{
    const struct city *ci = c->city;
    enum country co = ci->country;
    const char *suffix = rng_pick(r, &kind_names[co][c->kind]);
    const char *hood = c->loc[0].hood->name;

    if (c->nstaff == 1 && rng_chance(r, 600)) {
        const struct practitioner *p = &c->staff[0];
        const char *last = p->name + strlen(p->first) + 1;
        if (co == CO_DE) {
            static const char *const de[PR_COUNT] = {
                "Massagepraxis", "Physiotherapie", "Chiropraktik", "Ergotherapie",
                "Osteopathie", "Physiotherapie", "Massagepraxis",
            };
            snprintf(c->name, sizeof(c->name), "%s %s", de[p->prof], p->name);
            return;
        }
        switch (p->prof) {
        case PR_MASSAGE:
        case PR_MYO:
            if (has_technique(p, T_MFR) && rng_chance(r, 500))
                snprintf(c->name, sizeof(c->name), "%s Myofascial Release", p->name);
            else if (rng_chance(r, 400))
                snprintf(c->name, sizeof(c->name), "Bodywork by %s", p->first);
            else
                snprintf(c->name, sizeof(c->name), "%s %s", p->name,
                         p->prof == PR_MYO ? "Myotherapy" : "Massage Therapy");
            return;
        case PR_PT:
            snprintf(c->name, sizeof(c->name), "%s Physical Therapy", last);
            return;
        case PR_PHYSIO:
            snprintf(c->name, sizeof(c->name), "%s Physiotherapy", last);
            return;
        case PR_CHIRO:
            snprintf(c->name, sizeof(c->name), "%s %s", last,
                     rng_chance(r, 400) ? "Family Chiropractic" : "Chiropractic");
            return;
        case PR_OT:
            snprintf(c->name, sizeof(c->name), "%s Occupational Therapy", p->name);
            return;
        case PR_OSTEO:
            snprintf(c->name, sizeof(c->name), "%s %s", last,
                     co == CO_US ? "Osteopathic Care" : "Osteopathy");
            return;
        default:
            break;
        }
    }
    int style = (int)rng_below(r, 100);
    const char *stem = style < 45 ? rng_pick(r, &ci->stems)
                     : style < 75 ? hood
                     : co == CO_DE ? rng_pick(r, &ci->stems)
                     : rng_pick(r, co == CO_US ? &stems_us : &stems_commonwealth);
    if (co == CO_DE)
        snprintf(c->name, sizeof(c->name), "%s %s", suffix, stem);
    else
        snprintf(c->name, sizeof(c->name), "%s %s", stem, suffix);
}

static void gen_website(struct rng *r, struct clinic *c)
{
    char label[64];
    c->has_website = rng_chance(r, c->nstaff == 1 ? 450 : 750);
    if (!c->has_website)
        return;
    domain_label(c->name, c->city->country == CO_DE, label, sizeof(label));
    snprintf(c->website, sizeof(c->website), "https://www.%s%s", label,
             countries[c->city->country].tld);
}

/* Fills placeholders of a bio template. */
struct bio_ctx {
    const char *first, *prof, *city, *hood, *clinic, *t1, *t2, *d1, *d2, *langs;
    int years;
};

static void bio_expand(struct sb *b, const char *tpl, const struct bio_ctx *x)
{
    while (*tpl) {
        const char *open = strchr(tpl, '{');
        if (!open) {
            sb_puts(b, tpl);
            return;
        }
        sb_putn(b, tpl, (size_t)(open - tpl));
        const char *close = strchr(open, '}');
        if (!close) {
            sb_puts(b, open);
            return;
        }
        size_t klen = (size_t)(close - open - 1);
        const char *key = open + 1;
#define KEY(k) (klen == strlen(k) && strncmp(key, k, klen) == 0)
        if (KEY("F")) sb_puts(b, x->first);
        else if (KEY("P")) sb_puts(b, x->prof);
        else if (KEY("C")) sb_puts(b, x->city);
        else if (KEY("N")) sb_puts(b, x->hood);
        else if (KEY("K")) sb_puts(b, x->clinic);
        else if (KEY("T1")) sb_puts(b, x->t1);
        else if (KEY("T2")) sb_puts(b, x->t2);
        else if (KEY("D1")) sb_puts(b, x->d1);
        else if (KEY("D2")) sb_puts(b, x->d2);
        else if (KEY("L")) sb_puts(b, x->langs);
        else if (KEY("Y")) sb_printf(b, "%d", x->years);
#undef KEY
        tpl = close + 1;
    }
}

static const char *language_name(const char *code)
{
    for (size_t i = 0; i < COUNT(language_names); i++)
        if (strcmp(language_names[i].code, code) == 0)
            return language_names[i].name;
    return code;
}

static void gen_bio(struct rng *r, const struct clinic *c, struct practitioner *p)
{
    const struct city *ci = c->city;
    char prof[96], langs[160];
    const char *noun = profession_noun(p->prof, ci->country);
    snprintf(prof, sizeof(prof), "%s %s", strchr("aeiou", noun[0]) ? "an" : "a", noun);

    struct sb lb;
    sb_init(&lb, langs, sizeof(langs));
    for (int i = 0; i < p->nlangs; i++) {
        if (i > 0)
            sb_puts(&lb, i == p->nlangs - 1 ? " and " : ", ");
        sb_puts(&lb, language_name(p->langs[i]));
    }

    /* Techniques other than MFR, for {T1} {T2}. */
    const char *t[2] = { technique_phrase[T_STRETCH], technique_phrase[T_HEAT] };
    int nt = 0;
    for (int i = 0; i < p->ntech && nt < 2; i++)
        if (p->tech[i] != T_MFR)
            t[nt++] = technique_phrase[p->tech[i]];
    struct bio_ctx x = {
        .first = p->first, .prof = prof, .city = ci->name,
        .hood = c->loc[p->loc[0]].hood->name, .clinic = c->name, .t1 = t[0], .t2 = t[1],
        .d1 = condition_phrase[p->cond[0]],
        .d2 = condition_phrase[p->ncond > 1 ? p->cond[1] : C_MPS],
        .langs = langs, .years = p->years,
    };

    struct sb b;
    sb_init(&b, p->bio, sizeof(p->bio));
    bio_expand(&b, rng_pick(r, &bio_intro), &x);
    sb_puts(&b, " ");
    bio_expand(&b, rng_pick(r, has_technique(p, T_MFR) ? &bio_mfr : &bio_other), &x);
    if (rng_chance(r, 750)) {
        sb_puts(&b, " ");
        bio_expand(&b, rng_pick(r, &bio_conditions), &x);
    }
    if (rng_chance(r, 550)) {
        const char *extra[6];
        int ne = 0;
        if (p->home)
            extra[ne++] = "Home visits are available.";
        if (p->sliding)
            extra[ne++] = "Sliding-scale fees on request.";
        if (!p->accepting)
            extra[ne++] = "New clients go on a waiting list.";
        if (p->nlangs > 1)
            extra[ne++] = "Sessions in {L}.";
        extra[ne++] = rng_pick(r, &bio_general);
        sb_puts(&b, " ");
        bio_expand(&b, extra[rng_below(r, (uint32_t)ne)], &x);
    }
}

static int round_price(long cents)
{
    return (int)((cents + 250) / 500 * 500);
}

static void add_service(struct rng *r, struct clinic *c, enum svc_type type, int minutes,
                        const int price[2], int before, int after)
{
    if (c->nsvc >= MAX_SVCS)
        return;
    struct service *s = &c->svc[c->nsvc++];
    rng_uuid(r, s->id);
    s->type = type;
    s->name = service_name(type, c->city->country);
    s->minutes = minutes;
    long cents = ((long)price[0] * 100 + (long)price[1] * minutes) * c->city->price_pct / 100;
    if (type == SV_ASSESS)
        cents = cents * 115 / 100;
    else if (type == SV_HOME)
        cents = cents * 130 / 100;
    else if (type == SV_DRYNEEDLE)
        cents = cents * 110 / 100;
    s->price_cents = round_price(cents);
    s->before = before;
    s->after = after;
    s->created = c->created + rng_range(r, 0, 14) * DAY + rng_range(r, 0, 86399);
}

/* The clinic's menu follows from who works there. */
static void gen_services(struct rng *r, struct clinic *c)
{
    bool prof[PR_COUNT] = { false }, mfr = false, home_mfr = false, dn = false, cranio = false;
    for (int i = 0; i < c->nstaff; i++) {
        const struct practitioner *p = &c->staff[i];
        prof[p->prof] = true;
        mfr |= has_technique(p, T_MFR);
        home_mfr |= p->home && has_technique(p, T_MFR);
        dn |= has_technique(p, T_DRYNEEDLE);
        cranio |= has_technique(p, T_CRANIO);
    }
    enum country co = c->city->country;
    /* Price: a fixed part plus a rate per minute, in local units (USD 45-180). */
    const int price[2] = { rng_range(r, 15, 25), rng_range(r, 130, 170) };
    static const int after_choices[] = { 0, 10, 15 };
    int after = after_choices[rng_below(r, 3)];
    int before = rng_chance(r, 200) ? 5 : 0;
    c->nsvc = 0;

    add_service(r, c, SV_ASSESS, (c->kind == K_MFR || c->kind == K_OSTEO) && rng_chance(r, 500) ? 90 : 60,
                price, before, after);
    if (mfr) {
        static const int mins[] = { 30, 45, 60, 90 };
        static const int odds[] = { 400, 300, 1000, 350 };
        for (size_t i = 0; i < COUNT(mins); i++)
            if (mins[i] == 60 || rng_chance(r, c->kind == K_MFR ? 850 : odds[i]))
                add_service(r, c, SV_MFR, mins[i], price, before, after);
    }
    if (prof[PR_MASSAGE] || prof[PR_MYO]) {
        add_service(r, c, SV_MASSAGE, 30, price, before, after);
        add_service(r, c, SV_MASSAGE, 60, price, before, after);
        if (rng_chance(r, 300))
            add_service(r, c, SV_MASSAGE, 90, price, before, after);
    }
    if (prof[PR_PT] || prof[PR_PHYSIO])
        add_service(r, c, SV_PT, co == CO_US || co == CO_CA ? 45 : 30, price, before, after);
    if (prof[PR_CHIRO])
        add_service(r, c, SV_CHIRO, co == CO_US ? 20 : 30, price, before, after);
    if (prof[PR_OT])
        add_service(r, c, SV_OT, 60, price, before, after);
    if (prof[PR_OSTEO])
        add_service(r, c, SV_OSTEO, co == CO_US ? 30 : 45, price, before, after);
    if (prof[PR_MYO]) {
        add_service(r, c, SV_MYO, 60, price, before, after);
        if (rng_chance(r, 500))
            add_service(r, c, SV_MYO, 30, price, before, after);
    }
    if (dn && rng_chance(r, 600))
        add_service(r, c, SV_DRYNEEDLE, 30, price, before, after);
    if (cranio && rng_chance(r, 500))
        add_service(r, c, SV_CRANIO, 60, price, before, after);
    if (home_mfr && rng_chance(r, 600))
        add_service(r, c, SV_HOME, 90, price, 30, 30);   /* travel on both sides */
    if (mfr && rng_chance(r, c->kind == K_MFR ? 600 : 250))
        add_service(r, c, SV_FIBRO, 30, price, before, after);
}

static bool offers_eligible(const struct practitioner *p, const struct service *s)
{
    switch (s->type) {
    case SV_ASSESS: return true;
    case SV_MFR:
    case SV_FIBRO: return has_technique(p, T_MFR);
    case SV_HOME: return p->home && has_technique(p, T_MFR);
    case SV_MASSAGE: return p->prof == PR_MASSAGE || p->prof == PR_MYO;
    case SV_PT: return p->prof == PR_PT || p->prof == PR_PHYSIO;
    case SV_CHIRO: return p->prof == PR_CHIRO;
    case SV_OT: return p->prof == PR_OT;
    case SV_OSTEO: return p->prof == PR_OSTEO;
    case SV_MYO: return p->prof == PR_MYO;
    case SV_DRYNEEDLE: return has_technique(p, T_DRYNEEDLE);
    case SV_CRANIO: return has_technique(p, T_CRANIO);
    default: return false;
    }
}

static void offer(struct practitioner *p, bool *taken, int idx)
{
    if (idx < 0 || taken[idx] || p->nsvc >= MAX_PSVC)
        return;
    taken[idx] = true;
    p->svc[p->nsvc++] = idx;
}

/* A random eligible service of the type (any type if type < 0), not yet taken. */
static int pick_service(struct rng *r, const struct clinic *c, const struct practitioner *p,
                        const bool *taken, int type)
{
    int cand[MAX_SVCS], n = 0;
    for (int i = 0; i < c->nsvc; i++)
        if (!taken[i] && offers_eligible(p, &c->svc[i]) && (type < 0 || (int)c->svc[i].type == type))
            cand[n++] = i;
    return n ? cand[rng_below(r, (uint32_t)n)] : -1;
}

/* 2-5 of the clinic's services: the profession's own, usually the assessment,
 * MFR sessions for those who do MFR, home visits for those who make them. */
static void gen_offers(struct rng *r, const struct clinic *c, struct practitioner *p)
{
    bool taken[MAX_SVCS] = { false };
    static const int want_w[] = { 30, 35, 25, 10 };      /* 2..5 */
    int want = rng_skewed(r, 2, want_w, (int)COUNT(want_w));
    p->nsvc = 0;
    offer(p, taken, pick_service(r, c, p, taken, (int)core_service[p->prof]));
    if (rng_chance(r, 850))
        offer(p, taken, pick_service(r, c, p, taken, SV_ASSESS));
    if (has_technique(p, T_MFR) && rng_chance(r, 800))
        offer(p, taken, pick_service(r, c, p, taken, SV_MFR));
    if (p->home)
        offer(p, taken, pick_service(r, c, p, taken, SV_HOME));
    while (p->nsvc < want) {
        int i = pick_service(r, c, p, taken, -1);
        if (i < 0)
            break;
        offer(p, taken, i);
    }
}

/* Generates the next clinic into *c; false once every practitioner exists. */
static bool gen_next(struct gen *g, struct clinic *c)
{
    if (g->made >= g->target)
        return false;
    struct rng r;
    rng_seed(&r, g->seed, (uint64_t)g->index);
    g->index++;

    int size = draw_size(&r);
    if (size > g->target - g->made)
        size = (int)(g->target - g->made);
    size_t city = pick_city(g, size);
    g->city_made[city] += size;
    g->made += size;

    const struct city *ci = &cities[city];
    c->city = ci;
    rng_uuid(&r, c->id);
    c->kind = pick_kind(g, ci->country, size);
    g->kind_made[ci->country][c->kind] += size;
    c->created = EPOCH_START + rng_range(&r, 0, 900) * DAY + rng_range(&r, 8 * 3600, 18 * 3600);
    snprintf(c->phone, sizeof(c->phone), "%s%0*d", ci->phone_prefix, ci->phone_digits,
             (int)rng_below(&r, ci->phone_digits == 2 ? 100 : ci->phone_digits == 3 ? 1000 : 10000));

    int x = (int)rng_below(&r, 100);
    c->nloc = size == 1 ? (x < 95 ? 1 : 2) : (x < 75 ? 1 : x < 93 ? 2 : 3);
    int order[16];
    int nh = ci->nhoods < COUNT(order) ? (int)ci->nhoods : (int)COUNT(order);
    for (int i = 0; i < nh; i++)
        order[i] = i;
    for (int i = 0; i < c->nloc; i++) {   /* distinct neighbourhoods */
        int j = i + (int)rng_below(&r, (uint32_t)(nh - i));
        int tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
        int64_t opened = i == 0 ? c->created + rng_range(&r, 0, 30) * DAY
                                : c->created + rng_range(&r, 30, 600) * DAY;
        gen_location(&r, c, &ci->hoods[order[i]], &c->loc[i], opened);
    }

    c->nstaff = size;
    for (int i = 0; i < size; i++)
        gen_practitioner(&r, c, &c->staff[i]);
    gen_clinic_name(&r, c);
    gen_website(&r, c);
    for (int i = 0; i < size; i++)
        gen_bio(&r, c, &c->staff[i]);
    gen_services(&r, c);
    for (int i = 0; i < size; i++)
        gen_offers(&r, c, &c->staff[i]);
    return true;
}

/* ------------------------------------------------------------------------ */
/* COPY output.                                                              */

#define COPY_BUF 65536

struct copy_out {
    struct db_direct *d;
    size_t len;
    bool failed;
    char buf[COPY_BUF];
};

static void co_flush(struct copy_out *co)
{
    if (co->len == 0 || co->failed)
        return;
    if (!store_seed_copy_send(co->d, co->buf, co->len)) {
        fprintf(stderr, "seed-demo: %s", co->d->message);
        co->failed = true;
    }
    co->len = 0;
}

static void co_putc(struct copy_out *co, char ch)
{
    if (co->len == COPY_BUF)
        co_flush(co);
    co->buf[co->len++] = ch;
}

static void co_raw(struct copy_out *co, const char *s)
{
    for (; *s; s++)
        co_putc(co, *s);
}

/* A text field, escaped for COPY's text format. */
static void co_text(struct copy_out *co, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '\\': co_raw(co, "\\\\"); break;
        case '\t': co_raw(co, "\\t"); break;
        case '\n': co_raw(co, "\\n"); break;
        case '\r': co_raw(co, "\\r"); break;
        default: co_putc(co, *s);
        }
    }
}

static void co_tab(struct copy_out *co)
{
    co_putc(co, '\t');
}

static void co_eol(struct copy_out *co)
{
    co_putc(co, '\n');
    if (co->len > COPY_BUF - 8192)
        co_flush(co);
}

static void co_int(struct copy_out *co, long v)
{
    char tmp[32];
    snprintf(tmp, sizeof(tmp), "%ld", v);
    co_raw(co, tmp);
}

static void co_bool(struct copy_out *co, bool v)
{
    co_putc(co, v ? 't' : 'f');
}

static void co_time(struct copy_out *co, int64_t t)
{
    char tmp[40];
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || strftime(tmp, sizeof(tmp), "%Y-%m-%d %H:%M:%S+00", &tm) == 0) {
        co_raw(co, "2021-06-01 00:00:00+00");
        return;
    }
    co_raw(co, tmp);
}

static void co_micro(struct copy_out *co, long v)
{
    char tmp[32];
    long a = v < 0 ? -v : v;
    snprintf(tmp, sizeof(tmp), "%s%ld.%06ld", v < 0 ? "-" : "", a / 1000000, a % 1000000);
    co_raw(co, tmp);
}

static void co_link(struct copy_out *co, const char *clinic, const char *pract, const char *other)
{
    co_raw(co, clinic);
    co_tab(co);
    co_raw(co, pract);
    co_tab(co);
    co_raw(co, other);
    co_eol(co);
}

/* Database ids of the vocabulary, looked up by slug. */
struct refs {
    int profession[PR_COUNT];
    int technique[T_COUNT];
    int condition[C_COUNT];
};

static void emit_locations(struct copy_out *co, const struct clinic *c)
{
    const struct city *ci = c->city;
    for (int i = 0; i < c->nloc; i++) {
        const struct location *l = &c->loc[i];
        co_raw(co, l->id); co_tab(co);
        co_raw(co, c->id); co_tab(co);
        co_text(co, l->hood->name); co_tab(co);
        co_text(co, l->address); co_tab(co);
        co_text(co, ci->name); co_tab(co);
        co_text(co, ci->region); co_tab(co);
        co_text(co, l->postcode); co_tab(co);
        co_raw(co, countries[ci->country].iso2); co_tab(co);
        co_raw(co, "SRID=4326;POINT(");
        co_micro(co, l->lon_u);
        co_putc(co, ' ');
        co_micro(co, l->lat_u);
        co_putc(co, ')'); co_tab(co);
        co_text(co, ci->tz); co_tab(co);
        co_bool(co, l->wheelchair); co_tab(co);
        co_bool(co, true); co_tab(co);
        co_time(co, l->created);
        co_eol(co);
    }
}

static void emit_practitioners(struct copy_out *co, const struct clinic *c, const struct refs *refs)
{
    for (int i = 0; i < c->nstaff; i++) {
        const struct practitioner *p = &c->staff[i];
        co_raw(co, p->id); co_tab(co);
        co_raw(co, c->id); co_tab(co);
        co_text(co, p->name); co_tab(co);
        co_int(co, refs->profession[p->prof]); co_tab(co);
        co_text(co, p->credentials); co_tab(co);
        co_text(co, p->bio); co_tab(co);
        co_putc(co, '{');
        for (int k = 0; k < p->nlangs; k++) {
            if (k) co_putc(co, ',');
            co_raw(co, p->langs[k]);
        }
        co_putc(co, '}'); co_tab(co);
        co_bool(co, p->accepting); co_tab(co);
        co_bool(co, p->home); co_tab(co);
        co_bool(co, p->sliding); co_tab(co);
        co_bool(co, true); co_tab(co);
        co_time(co, p->created); co_tab(co);
        co_time(co, p->updated);
        co_eol(co);
    }
}

static void emit_services(struct copy_out *co, const struct clinic *c)
{
    const struct city *ci = c->city;
    for (int i = 0; i < c->nsvc; i++) {
        const struct service *s = &c->svc[i];
        co_raw(co, s->id); co_tab(co);
        co_raw(co, c->id); co_tab(co);
        co_text(co, s->name); co_tab(co);
        co_int(co, s->minutes); co_tab(co);
        co_int(co, s->price_cents); co_tab(co);
        co_raw(co, ci->currency); co_tab(co);
        co_int(co, s->before); co_tab(co);
        co_int(co, s->after); co_tab(co);
        co_bool(co, true); co_tab(co);
        co_time(co, s->created);
        co_eol(co);
    }
}

static void emit_clinic(struct copy_out *co, enum seed_table t, const struct clinic *c, const struct refs *refs)
{
    char num[16];
    switch (t) {
    case SEED_TB_CLINICS:
        co_raw(co, c->id); co_tab(co);
        co_text(co, c->name); co_tab(co);
        if (c->has_website) co_text(co, c->website); else co_raw(co, "\\N");
        co_tab(co);
        co_text(co, c->phone); co_tab(co);
        co_time(co, c->created);
        co_eol(co);
        break;
    case SEED_TB_LOCATIONS:
        emit_locations(co, c);
        break;
    case SEED_TB_PRACTITIONERS:
        emit_practitioners(co, c, refs);
        break;
    case SEED_TB_SERVICES:
        emit_services(co, c);
        break;
    case SEED_TB_PLOCATIONS:
        for (int i = 0; i < c->nstaff; i++)
            for (int k = 0; k < c->staff[i].nloc; k++)
                co_link(co, c->id, c->staff[i].id, c->loc[c->staff[i].loc[k]].id);
        break;
    case SEED_TB_PTECHNIQUES:
        for (int i = 0; i < c->nstaff; i++)
            for (int k = 0; k < c->staff[i].ntech; k++) {
                snprintf(num, sizeof(num), "%d", refs->technique[c->staff[i].tech[k]]);
                co_link(co, c->id, c->staff[i].id, num);
            }
        break;
    case SEED_TB_PCONDITIONS:
        for (int i = 0; i < c->nstaff; i++)
            for (int k = 0; k < c->staff[i].ncond; k++) {
                snprintf(num, sizeof(num), "%d", refs->condition[c->staff[i].cond[k]]);
                co_link(co, c->id, c->staff[i].id, num);
            }
        break;
    case SEED_TB_PSERVICES:
        for (int i = 0; i < c->nstaff; i++)
            for (int k = 0; k < c->staff[i].nsvc; k++)
                co_link(co, c->id, c->staff[i].id, c->svc[c->staff[i].svc[k]].id);
        break;
    default:
        break;
    }
}

/* ------------------------------------------------------------------------ */
/* Database steps.                                                           */

struct counts {
    long clinics, locations, practitioners, services;
};

/* Streams one table: regenerates every clinic and sends that table's rows. */
static int copy_table(struct db_direct *d, struct copy_out *co, struct clinic *c,
                      enum seed_table t, uint64_t seed, long target, const struct refs *refs,
                      struct counts *counts)
{
    struct gen g;
    if (store_seed_copy_start(d, t) != DB_OK) {
        fprintf(stderr, "seed-demo: %s", d->message);
        return -1;
    }
    co->d = d;
    co->len = 0;
    co->failed = false;
    memset(counts, 0, sizeof(*counts));
    gen_init(&g, seed, target);
    while (!co->failed && gen_next(&g, c)) {
        emit_clinic(co, t, c, refs);
        counts->clinics++;
        counts->locations += c->nloc;
        counts->practitioners += c->nstaff;
        counts->services += c->nsvc;
    }
    co_flush(co);
    enum db_status st = store_seed_copy_end(d, t, co->failed);
    if (st != DB_OK) {
        /* a failure to send was told already */
        if (!co->failed || st == DB_DOWN)
            fprintf(stderr, "seed-demo: %s", d->message);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Command line.                                                             */

struct seed_opts {
    long practitioners;
    uint64_t seed;
    bool force;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: clinicd seed-demo [--practitioners N] [--seed S] [--force]\n"
            "  --practitioners N  practitioners to create, 1 to %ld (default %ld)\n"
            "  --seed S           random seed, 0 to 18446744073709551615 (default %" PRIu64 ")\n"
            "  --force            delete every clinic (and all that belongs to one) first\n",
            MAX_PRACTITIONERS, DEFAULT_PRACTITIONERS, DEFAULT_SEED);
}

static bool parse_count(const char *s, long *out)
{
    if (!s || s[0] < '0' || s[0] > '9')
        return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < 1 || v > MAX_PRACTITIONERS)
        return false;
    *out = v;
    return true;
}

static bool parse_seed(const char *s, uint64_t *out)
{
    if (!s || s[0] < '0' || s[0] > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = (uint64_t)v;
    return true;
}

/* The value of "--name value" or "--name=value"; advances *i past it. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == '\0' && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

/* 0 to run, 1 after --help, 2 on a usage error (already reported). */
static int parse_args(int argc, char **argv, struct seed_opts *o)
{
    o->practitioners = DEFAULT_PRACTITIONERS;
    o->seed = DEFAULT_SEED;
    o->force = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *v;
        if (strcmp(arg, "--force") == 0) {
            o->force = true;
        } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            return 1;
        } else if (strncmp(arg, "--practitioners", 15) == 0 && (arg[15] == '\0' || arg[15] == '=')) {
            v = option_value(argc, argv, &i, "--practitioners");
            if (!parse_count(v, &o->practitioners)) {
                fprintf(stderr, "seed-demo: --practitioners needs a whole number from 1 to %ld\n",
                        MAX_PRACTITIONERS);
                return 2;
            }
        } else if (strncmp(arg, "--seed", 6) == 0 && (arg[6] == '\0' || arg[6] == '=')) {
            v = option_value(argc, argv, &i, "--seed");
            if (!parse_seed(v, &o->seed)) {
                fprintf(stderr, "seed-demo: --seed needs a whole number from 0 to %" PRIu64 "\n",
                        UINT64_MAX);
                return 2;
            }
        } else {
            fprintf(stderr, "seed-demo: unknown argument '%s'\n", arg);
            usage(stderr);
            return 2;
        }
    }
    return 0;
}

/* What a load did, for the summary line. */
struct load {
    struct counts counts;
    long replaced;      /* clinics deleted first (--force) */
    bool present;       /* there were clinics and no --force: nothing done */
};

/* Reads the vocabulary's ids; false after saying why. */
static bool load_refs(struct db_direct *d, struct refs *refs)
{
    if (store_seed_vocabulary(d, SEED_PROFESSIONS, profession_slug, PR_COUNT, refs->profession) ==
            DB_OK &&
        store_seed_vocabulary(d, SEED_TECHNIQUES, technique_slug, T_COUNT, refs->technique) ==
            DB_OK &&
        store_seed_vocabulary(d, SEED_CONDITIONS, condition_slug, C_COUNT, refs->condition) ==
            DB_OK)
        return true;
    fprintf(stderr, "seed-demo: %s", d->message);
    return false;
}

/* The whole load, in one transaction; 0 when it committed (or found demo data and
 * did nothing), -1 after saying why. */
static int seed_load(struct db_direct *d, const struct seed_opts *o, struct load *l)
{
    int rc = -1;
    struct clinic *clinic = NULL;
    struct copy_out *co = NULL;
    struct refs refs;
    bool in_tx = true;

    if (store_seed_begin(d, &l->replaced) != DB_OK)
        goto fail;
    if (l->replaced > 0 && !o->force) {
        l->present = true;
        rc = 0;
        goto out;
    }
    if (l->replaced > 0 && store_seed_clear(d) != DB_OK)
        goto fail;
    if (!load_refs(d, &refs))
        goto out;
    clinic = calloc(1, sizeof(*clinic));
    co = calloc(1, sizeof(*co));
    if (!clinic || !co) {
        fprintf(stderr, "seed-demo: out of memory\n");
        goto out;
    }
    for (int t = 0; t < SEED_TB_COUNT; t++)
        if (copy_table(d, co, clinic, (enum seed_table)t, o->seed, o->practitioners, &refs,
                       &l->counts) != 0)
            goto out;
    in_tx = false; /* a failed COMMIT has ended the transaction too */
    if (store_seed_commit(d) != DB_OK)
        goto fail;
    rc = 0;
    goto out;
fail:
    fprintf(stderr, "seed-demo: %s", d->message);
out:
    if (in_tx)
        store_seed_rollback(d);
    free(co);
    free(clinic);
    return rc;
}

int seed_cli(int argc, char **argv, const char *conninfo)
{
    int rc = 1;
    struct db_direct d = {0};
    struct seed_notices notices = {false, 0};
    struct seed_opts o;
    struct load l = {{0, 0, 0, 0}, 0, false};

    int parsed = parse_args(argc, argv, &o);
    if (parsed != 0) {
        rc = parsed == 1 ? 0 : 2;
        goto out;
    }
    if (!db_direct_open(&d, conninfo, 0)) {
        fprintf(stderr, "seed-demo: cannot connect to the database: %s", d.message);
        goto out;
    }
    if (store_seed_connection(&d, &notices) != DB_OK) {
        fprintf(stderr, "seed-demo: %s", d.message);
        goto out;
    }
    if (seed_load(&d, &o, &l) != 0)
        goto out;
    if (l.present) {
        printf("demo data already present; nothing done\n");
        rc = 0;
        goto out;
    }
    int skipped;
    if (store_seed_analyze(&d, &notices, &skipped) != DB_OK)
        fprintf(stderr, "seed-demo: %s", d.message);
    else if (skipped > 0)
        fprintf(stderr, "seed-demo: note: ANALYZE skipped %d tables (only their owner may "
                        "analyse them); autovacuum will do it shortly\n", skipped);

    printf("seed-demo: %ld clinics, %ld locations, %ld practitioners, %ld services "
           "(seed %" PRIu64 ")", l.counts.clinics, l.counts.locations, l.counts.practitioners,
           l.counts.services, o.seed);
    if (l.replaced > 0)
        printf("; replaced %ld clinics", l.replaced);
    printf("\n");
    rc = 0;
out:
    db_direct_close(&d);
    return rc;
}
