// uino_example <model|-> <reference.ppm> <reference-mask.pgm> <query.ppm> <out-mask.pgm>
// Adds one reference shot, segments the query, writes the mask; shows errors arriving as uino::Error.
// "-" as the model uses the library's embedded default model.
#include "uino.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {
struct Pnm { std::vector<uint8_t> pixels; int width = 0, height = 0, channels = 0; };

Pnm read_pnm(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string magic; int maxval = 0; Pnm p;
    if (!(in >> magic >> p.width >> p.height >> maxval) || maxval != 255 || (magic != "P6" && magic != "P5"))
        throw std::runtime_error("not an 8-bit PPM/PGM: " + path);
    in.get();
    p.channels = magic == "P6" ? 3 : 1;
    p.pixels.resize(static_cast<size_t>(p.width) * p.height * p.channels);
    if (!in.read(reinterpret_cast<char*>(p.pixels.data()), static_cast<std::streamsize>(p.pixels.size())))
        throw std::runtime_error("truncated: " + path);
    return p;
}
}  // namespace

int main(int argc, char** argv) {
    if (argc != 6) {
        std::cerr << "usage: uino_example <model|-> <reference.ppm> <reference-mask.pgm> <query.ppm> <out-mask.pgm>\n";
        return 2;
    }
    try {
        std::cout << uino::version_string() << "\n";
        uino::SessionOptions options;
        if (std::string(argv[1]) != "-") options.model(argv[1]);
        uino::Session session(options);

        Pnm ref = read_pnm(argv[2]), mask = read_pnm(argv[3]), query = read_pnm(argv[4]);
        uino::Image query_view(query.pixels.data(), query.width, query.height, uino::PixelFormat::Rgb8);
        std::vector<uint8_t> out(static_cast<size_t>(query.width) * query.height);

        try {   // an error is an exception with the library's code and message
            session.segment(query_view, out.data());
        } catch (const uino::Error& e) {
            std::cout << "before any reference: code " << static_cast<int>(e.code()) << ": " << e.what() << "\n";
            if (e.code() != uino::Code::NoReference) return 1;
        }

        session.add_reference(uino::Image(ref.pixels.data(), ref.width, ref.height, uino::PixelFormat::Rgb8), mask.pixels.data());
        float score = session.segment(query_view, out.data());
        size_t object = 0;
        for (uint8_t v : out) object += v != 0;
        std::ofstream o(argv[5], std::ios::binary);
        o << "P5\n" << query.width << " " << query.height << "\n255\n";
        o.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
        std::cout << "segmented " << query.width << "x" << query.height << ": " << object << " object pixels, score "
                  << score << " -> " << argv[5] << "\n";

        uino::Session moved = std::move(session);   // move-only RAII handle
        return moved ? 0 : 1;
    } catch (const uino::Error& e) {
        std::cerr << "uino error " << static_cast<int>(e.code()) << ": " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
}
